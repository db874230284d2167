import { test, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { clearStorage, decision, storage } from './fakes.js'
import { KEY, grants, read, valid } from '../../src/consent.js'

beforeEach(() => {
  clearStorage()
  delete globalThis.ashiatoConsent
})

test('valid accepts decisions that have not expired', () => {
  const d = decision(['analytics'])
  assert.equal(valid(d), d)
  assert.equal(valid({ ...d, expires_at: new Date(Date.now() + 1e6).toISOString() }).token, d.token)
  assert.equal(valid({ ...d, expires_at: new Date(Date.now() - 1).toISOString() }), null)
  assert.equal(valid(null), null)
  assert.equal(valid({ token: 'x' }), null, 'no granted list')
})

test('read takes the decision the banner stored in localStorage', () => {
  assert.ok(!read())
  storage[KEY] = JSON.stringify(decision(['analytics']))
  assert.equal(read().token, 'tok-analytics')
  storage[KEY] = '{broken'
  assert.ok(!read())
})

test('grants checks one purpose of a decision', () => {
  const d = decision(['analytics'])
  assert.ok(grants(d, 'analytics'))
  assert.ok(grants(d, 'necessary'))
  assert.ok(!grants(d, 'personalization'))
  assert.ok(!grants(null, 'analytics'))
})
