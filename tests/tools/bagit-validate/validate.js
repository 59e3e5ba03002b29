#!/usr/bin/env node
// Validates a BagIt bag (a folder) with bagit-tools, an implementation independent of Archive's own verifier.
// Usage: node validate.js <bag-folder> [BagIt-Version, default 1.0]
// Exit codes: 0 valid, 1 invalid, 2 usage or internal error.
//
// What bagit-tools checks (lib/verify.js, lib/manifest.js): bagit.txt declares the BagIt-Version and an encoding;
// for EVERY manifest-<alg>.txt and tagmanifest-<alg>.txt it streams each listed file through Node's crypto with the
// algorithm named by the manifest (sha256 here) and compares with the manifest value; the number of payload manifest
// entries equals the number of files under data/ (a missing or unlisted payload file fails).
// Limitation: it takes any file whose name contains "manifest-...txt" for a manifest, so a bag carrying Archive's
// seal (tagmanifest-sha256.txt.p7s) must be checked without it; see docs/operations.md.
'use strict'

const fs = require('fs')
const path = require('path')

const bag = process.argv[2]
const version = process.argv[3] || '1.0'
if (!bag || !fs.existsSync(bag) || !fs.statSync(bag).isDirectory()) {
  console.error('usage: node validate.js <bag-folder> [bagit-version]')
  process.exit(2)
}

let verify
try {
  verify = require('bagit-tools').verify
} catch (err) {
  console.error('bagit-tools is not installed: run npm ci --prefix ' + __dirname + ' (' + err.message + ')')
  process.exit(2)
}

const manifests = fs.readdirSync(bag).filter((f) => /^(tag)?manifest-sha256\.txt$/.test(f))
if (!manifests.includes('manifest-sha256.txt')) {
  console.error('INVALID: no manifest-sha256.txt')
  process.exit(1)
}

verify(path.resolve(bag), { version, test: true }, (err, valid, results) => {
  if (err) {
    console.error('ERROR: ' + (err.stack || err))
    process.exit(2)
  }

  const asserts = results.filter((r) => r.type === 'assert')
  for (const r of asserts) {
    console.log((r.ok ? 'ok     ' : 'NOT OK ') + r.name)
  }

  // Every manifest must have been hashed by the tool (guards against a tool that silently checks nothing).
  for (const m of manifests) {
    if (!asserts.some((r) => r.ok && r.name === m + ' no verification errors')) {
      console.log('NOT OK ' + m + ' was not verified')
      valid = false
    }
  }

  console.log(valid ? 'VALID ' + bag : 'INVALID ' + bag)
  process.exit(valid ? 0 : 1)
})
