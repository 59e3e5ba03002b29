// One S3 server fixture (and bucket) for the whole test assembly; the fixture itself is shared with Archive.Api.Tests.
[assembly: AssemblyFixture(typeof(Archive.Storage.Minio.Tests.S3ServerFixture))]
