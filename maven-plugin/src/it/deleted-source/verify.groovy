// net2.adnet was deleted before the second build: its class is gone, the others stay, the cache forgets it.
def out = new File(basedir, 'target/generated-sources/adnet/nets')
assert !new File(basedir, 'src/main/adnet/nets/net2.adnet').exists()
assert !new File(out, 'Net2.java').exists()
assert new File(out, 'Net1.java').isFile()
assert new File(out, 'Net3.java').isFile()
def cache = new File(basedir, 'target/adnet-cache/generate.cache').text
assert !cache.contains('net2.adnet')
def log = new File(basedir, 'build.log').text
assert log.contains('adnet: compiled 0 files of 3: wrote 0 classes, removed 1 stale class in target/generated-sources/adnet')
return true
