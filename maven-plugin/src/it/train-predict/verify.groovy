// The plugin generated the class from the folder's package, and the test that trains it ran.
def java = new File(basedir, 'target/generated-sources/adnet/it/nets/TinyFashion.java')
assert java.isFile()
assert java.text.startsWith('package it.nets;')
assert !new File(basedir, 'target/generated-sources/adnet/it/blocks').exists() : 'a file of blocks generates no class'
def log = new File(basedir, 'build.log').text
assert log.contains('adnet: compiled 2 files of 2: wrote 1 class in target/generated-sources/adnet')
assert new File(basedir, 'target/generated-test-sources/adnet/it/probes/Probe.java').isFile()
assert log.contains('adnet: compiled 1 file of 1: wrote 1 class in target/generated-test-sources/adnet')
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0')
assert log =~ /adnet-it: loss [0-9.]+ -> [0-9.]+, test accuracy/
return true
