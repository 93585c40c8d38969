// k6 load test for the README's history example: 40 iterations/s for DURATION (default 3 s); each
// iteration GETs /health, /search and /items of the local server (BASE_URL), tagged by name.
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const ENDPOINTS = ['health', 'search', 'items'];

export const options = {
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate',
      rate: 40,
      timeUnit: '1s',
      duration: __ENV.DURATION || '3s',
      preAllocatedVUs: 10,
      maxVUs: 40,
    },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  systemTags: ['name', 'method', 'status', 'expected_response', 'scenario', 'check', 'group'],
  thresholds: Object.assign(
    { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] },
    ...ENDPOINTS.map((n) => ({ [`http_req_duration{name:${n}}`]: ['p(95)<500'] })),
  ),
};

export default function () {
  for (const n of ENDPOINTS) {
    const r = http.get(`${BASE}/${n}`, { tags: { name: n } });
    check(r, { 'status 200': (res) => res.status === 200 });
  }
}
