// The second build found everything up to date and wrote nothing: the outputs and the cache are older than the
// marker that build copied before the plugin ran.
def log = new File(basedir, 'build.log').text
assert log.contains('adnet: 4 files up to date, nothing to generate')
def marker = new File(basedir, 'target/second-build/marker.txt')
assert marker.isFile()
def outputs = new File(basedir, 'target/generated-sources/adnet/nets').listFiles().findAll { it.name.endsWith('.java') }
assert outputs*.name.sort() == ['Net1.java', 'Net2.java', 'Net3.java']
def written = outputs + [new File(basedir, 'target/adnet-cache/generate.cache')]
written.each { f ->
    assert f.lastModified() < marker.lastModified() : "${f} was written again by the second build"
}
return true
