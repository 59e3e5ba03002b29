using System.Collections.Concurrent;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using Archive.Storage.Minio.Tests;
using Minio.DataModel.Args;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Several hosts on one bucket (issue #20), end to end: two real <c>Archive.Server</c> processes on loopback share an
/// Object Lock bucket of the Ceph gateway (which ignores If-None-Match there) with their claims in an unversioned
/// coordination bucket (<c>Archive:Hosts:Shared=true</c>, no search index on these hosts), driven only through the
/// NSwag-generated client. Concurrent metadata updates and content uploads to one record file from both hosts: every
/// acknowledged change is in the version history and the final state, no version is acknowledged twice, fixity holds,
/// and the only refusals are conflicts (409/412). Then one host is killed (SIGKILL) during a burst and restarted: both
/// hosts agree on the record file, its history keeps every acknowledged change, and fixity and the shared audit trail's
/// hash chain hold.
/// </summary>
public sealed class MultiHostEndToEndTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>, IAsyncDisposable
{
    private const int Workers = 4;
    private const int ChangesPerWorker = 25;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-multihost-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ServerProcess> _servers = [];
    private readonly List<HttpClient> _http = [];
    private readonly string _key = ApiKeyStore.NewKey();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var http in _http)
        {
            http.Dispose();
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private sealed record Ack(int Version, string? Title, string? Content);

    [Fact]
    public async Task Two_hosts_on_one_bucket_lose_no_acknowledged_change_and_survive_the_death_of_one()
    {
        s3.Require();
        var bucket = S3ServerFixture.NewBucketName("multi");
        var claims = S3ServerFixture.NewBucketName("claims");
        await s3.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket).WithObjectLock(), Ct);
        await s3.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(claims), Ct);
        var environment = new Dictionary<string, string>
        {
            ["Archive__Storage__Provider"] = "S3",
            ["Archive__Storage__S3__Endpoint"] = s3.Endpoint,
            ["Archive__Storage__S3__AccessKey"] = s3.AccessKey,
            ["Archive__Storage__S3__SecretKey"] = s3.SecretKey,
            ["Archive__Storage__S3__Secure"] = s3.Secure ? "true" : "false",
            ["Archive__Storage__S3__Bucket"] = bucket,
            ["Archive__Storage__S3__CoordinationBucket"] = claims,
            ["Archive__Search__Provider"] = "None",
            ["Archive__Hosts__Shared"] = "true",
            ["Archive__Hosts__Lease"] = "00:00:10",
            ["Archive__Hosts__ClockSkew"] = "00:00:02",
            ["Archive__Api__RequestsPerMinute"] = "100000",
            ["Archive__Auth__ApiKeys__0__Name"] = "ops",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(_key),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
        };

        var hostA = await StartAsync("a", environment);
        var hostB = await StartAsync("b", environment);
        var a = Client(hostA);
        var b = Client(hostB);

        const string agency = "000.00.81.H26";
        await a.CreateAgencyAsync(new CreateAgencyRequest { Id = agency, Name = "Sở Nội vụ tỉnh Bắc Ninh" }, Ct);
        await b.CreateFondsAsync(new CreateFondsRequest { Code = "P-SNV", Name = "Phông Sở Nội vụ", AgencyId = agency, Language = "vi" }, Ct);
        var file = await RetryAsync(() => a.CreateRecordFileAsync("searchable", null, Request("Hồ sơ dùng chung"), Ct));
        await RetryAsync(() => b.AddDocumentAsync(file.FileCode, "searchable", null, null, new DocumentRequest { TypeName = "Công văn", Subject = "Công văn dùng chung", Language = "vi" }, Ct));

        // Burst: both hosts, four writers each, metadata updates and content uploads to the same record file.
        var acks = new ConcurrentBag<Ack>();
        var conflicts = 0;
        await Task.WhenAll(new[] { a, b }.SelectMany((client, host) => Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < ChangesPerWorker; i++)
            {
                var tag = $"h{host}-w{w}-{i}";
                var (ack, refused) = await ChangeAsync(client, file.FileCode, tag, i % 2 == 0);
                Interlocked.Add(ref conflicts, refused);
                acks.Add(ack);
            }
        }, Ct))));

        Assert.True(acks.Count >= 200, $"only {acks.Count} changes acknowledged");
        await AssertEveryAcknowledgedChangeIsStoredAsync(a, b, file.FileCode, acks);

        // Kill -9 of host B during a second burst; A goes on; B restarts on the same data folder.
        var second = new ConcurrentBag<Ack>();
        var lost = 0;
        var burst = Task.WhenAll(new[] { a, b }.SelectMany((client, host) => Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 8; i++)
            {
                try
                {
                    var (ack, _) = await ChangeAsync(client, file.FileCode, $"k{host}-w{w}-{i}", i % 2 == 1);
                    second.Add(ack);
                }
                catch (HttpRequestException) when (host == 1)
                {
                    Interlocked.Increment(ref lost); // B is gone: its unanswered requests are not acknowledged
                    return;
                }
            }
        }, Ct))));
        while (second.Count < 6 && !burst.IsCompleted)
        {
            await Task.Delay(20, Ct);
        }

        await hostB.KillAsync();
        await burst;
        Assert.True(lost > 0, "host B was killed after its burst ended");

        hostB = await StartAsync("b", environment);
        b = Client(hostB);
        var (afterRestart, _) = await ChangeAsync(b, file.FileCode, "after-restart", title: true);
        second.Add(afterRestart);
        await AssertEveryAcknowledgedChangeIsStoredAsync(a, b, file.FileCode, acks.Concat(second).ToList());
        Assert.All(_servers.Where(s => !ReferenceEquals(s, _servers[1])), s => Assert.False(s.Process.HasExited, s.Log));
        TestContext.Current.TestOutputHelper?.WriteLine($"{acks.Count + second.Count} acknowledged changes, {conflicts} conflicts answered 409/412 in the first burst, {lost} writers cut by the kill");
    }

    private async Task AssertEveryAcknowledgedChangeIsStoredAsync(ArchiveClient a, ArchiveClient b, string fileCode, IReadOnlyCollection<Ack> acks)
    {
        // No version acknowledged twice.
        Assert.Equal(acks.Count, acks.Select(x => x.Version).Distinct().Count());

        var fromA = await a.GetRecordFileAsync(fileCode, Ct);
        var fromB = await b.GetRecordFileAsync(fileCode, Ct);
        Assert.Equal(fromA.Version, fromB.Version);
        Assert.Equal(fromA.Documents.Count, fromB.Documents.Count);
        var history = await b.GetRecordFileHistoryAsync(fileCode, Ct);
        Assert.Equal(fromA.Version, history.Count);
        Assert.Equal(Enumerable.Range(1, fromA.Version), history.Select(v => v.Version).Order());

        var contents = fromA.Documents.Single(d => d.DocOrdinal == 1).Contents.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var subjects = fromA.Documents.Select(d => d.Subject ?? "").ToHashSet(StringComparer.Ordinal);
        foreach (var ack in acks)
        {
            Assert.True(ack.Version <= fromA.Version, $"acknowledged version {ack.Version} is beyond the head {fromA.Version}");
            Assert.Contains(ack.Content ?? ack.Title ?? "", ack.Content is null ? subjects : contents);
        }

        // And each in the version it was acknowledged as (a sample from each host).
        foreach (var ack in acks.Where(x => x.Version % 7 == 0))
        {
            var version = await (ack.Version % 2 == 0 ? a : b).GetRecordFileVersionAsync(fileCode, ack.Version, Ct);
            Assert.Contains(ack.Content ?? ack.Title ?? "", ack.Content is null
                ? version.Documents.Select(d => d.Subject ?? "")
                : version.Documents.Single(d => d.DocOrdinal == 1).Contents.Select(c => c.Name));
        }

        Assert.True((await a.VerifyRecordFileAsync(fileCode, Ct)).IsValid);
        Assert.True((await b.VerifyRecordFileAsync(fileCode, Ct)).IsValid);

        // One audit trail for both hosts: its hash chain holds (each host appended under create-only sequence numbers)
        // and it records at least every acknowledged change.
        var audit = await b.VerifyAuditTrailAsync(Ct);
        Assert.True(audit.IsValid);
        Assert.True(audit.RecordsChecked >= acks.Count, $"{audit.RecordsChecked} audit records for {acks.Count} acknowledged changes");
    }

    /// <summary>
    /// One change (a title or a content file), retried while the answer is a conflict (also while a killed host's
    /// commit claim runs out: Archive:Hosts:Lease + ClockSkew = 12 s here); returns it and the conflicts met.
    /// </summary>
    private static async Task<(Ack Ack, int Conflicts)> ChangeAsync(ArchiveClient client, string fileCode, string tag, bool title)
    {
        for (var conflicts = 0; ; conflicts++)
        {
            try
            {
                if (title)
                {
                    // A metadata change: a new document entry (the record file's own update needs If-Match, which a
                    // writer racing on purpose would only turn into 412s).
                    var updated = await client.AddDocumentAsync(fileCode, "searchable", null, null, new DocumentRequest { TypeName = "Công văn", Subject = "Văn bản " + tag, Language = "vi" }, Ct);
                    return (new Ack(updated.Version, "Văn bản " + tag, null), conflicts);
                }

                var bytes = Encoding.UTF8.GetBytes("Nội dung " + tag);
                var name = tag + ".txt";
                var uploaded = await client.UploadContentAsync(fileCode, 1, name, Convert.ToHexStringLower(SHA256.HashData(bytes)), "searchable", null, null, new FileParameter(new MemoryStream(bytes), name, "text/plain"), Ct);
                return (new Ack(uploaded.Version, null, name), conflicts);
            }
            catch (ArchiveApiException ex) when (ex.StatusCode is 409 or 412 && conflicts < 1000)
            {
                await Task.Delay(Random.Shared.Next(10, 100), Ct);
            }
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (ArchiveApiException ex) when (ex.StatusCode is 409 or 412 && attempt < 50)
            {
                await Task.Delay(100, Ct);
            }
        }
    }

    private static RecordFileRequest Request(string title) => new()
    {
        FondsCode = "P-SNV",
        FileCatalog = 2024,
        FileNotation = "01.TCCB",
        Title = title,
        Maintenance = "10",
        Rights = Generated.AccessLevel.Public,
        Language = "vi",
        StartDate = new DateOnly(2024, 1, 2),
        EndDate = new DateOnly(2024, 12, 30),
        Status = RecordFileStatus.Finished,
        Keywords = [],
    };

    private async Task<ServerProcess> StartAsync(string name, Dictionary<string, string> environment)
    {
        var server = await ServerProcess.StartAsync(Path.Combine(_root, name), environment, Ct);
        _servers.Add(server);
        return server;
    }

    private ArchiveClient Client(ServerProcess server)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", _key);
        _http.Add(http);
        return new ArchiveClient(http) { BaseUrl = server.BaseUrl };
    }
}
