// core/errors/error-body.ts: error bodies in each client API's shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorBody, keyForStatus, openaiErrorType } from '../../core/errors/error-body.ts';
import { en } from '../../core/i18n/en.ts';

test('OpenAI shape: {error: {message, type, code, param}}', () => {
  const body = errorBody('openai', 404, 'model_not_found', 'The model "x" is not available.', 'model');
  assert.equal(body, '{"error":{"message":"The model \\"x\\" is not available.","type":"not_found_error","code":"model_not_found","param":"model"}}');
  assert.deepEqual(JSON.parse(errorBody('openai', 400, 'invalid_json', 'bad')), {
    error: { message: 'bad', type: 'invalid_request_error', code: 'invalid_json', param: null },
  });
});

test('Ollama shape: {error: message}', () => {
  assert.equal(errorBody('ollama', 404, 'model_not_found', 'model "x" not found', 'model'), '{"error":"model \\"x\\" not found"}');
  assert.deepEqual(JSON.parse(errorBody('ollama', 503, 'no_healthy_backend', 'later')), { error: 'later' });
});

test('OpenAI error types by status', () => {
  assert.equal(openaiErrorType(400), 'invalid_request_error');
  assert.equal(openaiErrorType(401), 'authentication_error');
  assert.equal(openaiErrorType(403), 'permission_error');
  assert.equal(openaiErrorType(404), 'not_found_error');
  assert.equal(openaiErrorType(405), 'invalid_request_error');
  assert.equal(openaiErrorType(413), 'invalid_request_error');
  assert.equal(openaiErrorType(429), 'rate_limit_error');
  assert.equal(openaiErrorType(500), 'server_error');
  assert.equal(openaiErrorType(502), 'server_error');
  assert.equal(openaiErrorType(503), 'server_error');
  assert.equal(openaiErrorType(504), 'server_error');
});

test('keyForStatus: a catalogue key for every status nginx produces', () => {
  const expected: Record<number, string> = {
    400: 'bad_request',
    404: 'route_not_found',
    405: 'method_not_allowed',
    408: 'request_timeout',
    413: 'body_too_large',
    414: 'uri_too_long',
    429: 'rate_limited',
    431: 'headers_too_large',
    494: 'headers_too_large',
    500: 'internal_error',
    502: 'backend_failed',
    503: 'service_unavailable',
    504: 'backend_timeout',
    501: 'internal_error',
    418: 'bad_request',
  };
  for (const [status, key] of Object.entries(expected)) assert.equal(keyForStatus(Number(status)), key, status);
});

test('every key keyForStatus can return has a message', () => {
  const messages = en();
  for (let status = 400; status < 600; status++) assert.ok(keyForStatus(status) in messages, String(status));
});
