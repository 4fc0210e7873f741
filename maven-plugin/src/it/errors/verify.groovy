// Every diagnostic in the compiler's format, relative to the project, then a one-line failure; no stack trace.
def log = new File(basedir, 'build.log').text
assert log.contains("[ERROR] src/main/adnet/bad/net.adnet:5:31: error[ADN203]: 'conv' has no parameter 'strid'; did you mean 'stride'?")
assert log.contains("[ERROR] src/main/adnet/bad/net.adnet:6:39: error[ADN202]: unknown layer or block 'dense2'; did you mean 'dense'?")
assert log.contains("      stem = image -> conv(16, 3, strid = 2) -> relu")
assert log.contains("adnet: 2 errors in 1 file; nothing was generated")
assert !(log =~ /(?m)^\s+at [a-z]+\./) : 'no stack trace for a mistake in a source'
assert !log.contains('Exception:')
assert !new File(basedir, 'target/generated-sources/adnet').exists()
assert !new File(basedir, 'target/adnet-cache/generate.cache').exists()
return true
