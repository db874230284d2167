import { test } from 'node:test'
import assert from 'node:assert/strict'
import { glob, isLocal, on, pageURL } from '../../src/url.js'

test('pageURL drops the fragment unless hash routing is on', () => {
  assert.equal(pageURL('https://a.example/p?q=1#frag', false), 'https://a.example/p?q=1')
  assert.equal(pageURL('https://a.example/p?q=1#/route', true), 'https://a.example/p?q=1#/route')
  assert.equal(pageURL('https://a.example/p', false), 'https://a.example/p')
})

test('with hash routing only routes (#/, #!/) are reported, with their query', () => {
  assert.equal(pageURL('https://a.example/p#/r2?tab=1', true), 'https://a.example/p#/r2?tab=1')
  assert.equal(pageURL('https://a.example/p#!/item/3', true), 'https://a.example/p#!/item/3')
  assert.equal(pageURL('https://a.example/p?q=1#top', true), 'https://a.example/p?q=1')
  assert.equal(pageURL('https://a.example/p#!top', true), 'https://a.example/p')
})

test('glob matches whole paths; * spans any characters', () => {
  const cases = [
    ['/admin/*', '/admin/users', true],
    ['/admin/*', '/admin/users/7', true],
    ['/admin/*', '/admin', false],
    ['/admin/*', '/public/admin/x', false],
    ['/preview', '/preview', true],
    ['/preview', '/preview/x', false],
    ['/*.pdf', '/docs/a.pdf', true],
    ['/a.b', '/aXb', false],
  ]
  for (const [p, path, want] of cases) assert.equal(glob(p).test(path), want, `${p} ~ ${path}`)
})

test('isLocal recognises a developer machine', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'app.localhost']) assert.ok(isLocal(h), h)
  for (const h of ['example.com', 'shop.example.com', '10.0.0.1', '192.168.1.2']) assert.ok(!isLocal(h), h)
})

test('on reads boolean options from objects and data- attributes', () => {
  for (const v of [true, '', 'true']) assert.ok(on(v), JSON.stringify(v))
  for (const v of [undefined, null, false, 'false', 'no']) assert.ok(!on(v), JSON.stringify(v))
})
