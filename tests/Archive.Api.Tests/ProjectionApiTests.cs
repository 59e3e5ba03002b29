using Archive.Api.Tests.Support;
using Archive.Records;
using Archive.Search;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>A host whose search index writes can be held, and whose searches do not wait for the projection.</summary>
public sealed class ProjectionApiFactory : ApiFactory
{
    public HeldIndex Index => Services.GetRequiredService<HeldIndex>();

    protected override bool WaitForProjectionBeforeSearch => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(_ => new HeldIndex(new Archive.Search.Lucene.LuceneSearchIndex(new Archive.Search.Lucene.LuceneSearchOptions { IndexPath = Path.Combine(DataPath, "index") })));
            services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(sp => sp.GetRequiredService<HeldIndex>()));
        });
    }

    /// <summary>The embedded Lucene index, with writes that wait while <see cref="Hold"/> is on.</summary>
    public sealed class HeldIndex(ISearchIndex inner) : DelegatingSearchIndex(inner)
    {
        private TaskCompletionSource _gate = Opened();

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public override async ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            await InnerIndex.IndexAsync(documents, cancellationToken);
        }

        private static TaskCompletionSource Opened()
        {
            var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            t.SetResult();
            return t;
        }
    }
}

/// <summary>
/// Record-file responses say whether the version is searchable (<c>projection</c>), and every record-file write takes
/// <c>?wait=searchable&amp;timeoutMs=</c> (#23): it answers once the version is searchable, or when the bound passed
/// with <c>Pending</c> — never an error, the change is stored.
/// </summary>
public sealed class ProjectionApiTests(ProjectionApiFactory factory) : IClassFixture<ProjectionApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_write_says_pending_while_the_index_is_held_and_a_wait_answers_searchable_once_it_is()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        factory.Index.Hold();
        try
        {
            // Acknowledged at the commit while the index holds every write.
            var created = await client.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "01.CHO")), Ct).ExpectAsync(201);
            var code = (string)created["fileCode"]!;
            Assert.Equal("Pending", (string?)created["projection"]!["state"]);
            Assert.Null(created["projection"]!["searchableVersion"]);
            Assert.Equal("Pending", (string?)(await client.GetAsync(FileUrl(code), Ct).ExpectAsync(200))["projection"]!["state"]);

            // A bounded wait that passes says so, with success: the change is stored.
            var timedOut = await client.PostAsync($"{FileUrl(code)}/documents?wait=searchable&timeoutMs=100", Json(new { subject = "Văn bản chờ lập chỉ mục" }), Ct).ExpectAsync(201);
            Assert.Equal("Pending", (string?)timedOut["projection"]!["state"]);
            Assert.Equal(2, (int)timedOut["version"]!);

            // A wait that outlasts the hold answers once the version is searchable; search then finds it at once.
            var waiting = client.PutWithIfMatch($"{FileUrl(code)}?wait=searchable&timeoutMs=30000", Json(RecordFile(fondsCode, "01.CHO", title: "Hồ sơ đã lập chỉ mục")), "\"v2\"");
            factory.Index.Release();
            var updated = await waiting.ExpectAsync(200);
            Assert.Equal("Searchable", (string?)updated["projection"]!["state"]);
            Assert.Equal(3, (int)updated["projection"]!["searchableVersion"]!);
            var hits = await client.GetAsync($"{P}/search?q={Uri.EscapeDataString("đã lập chỉ mục")}&filter=agency:{agencyId}&consistent=true", Ct).ExpectAsync(200);
            Assert.Contains(hits["hits"]!.AsArray(), h => (string?)h!["id"] == code);

            var read = await client.GetAsync(FileUrl(code), Ct).ExpectAsync(200);
            Assert.Equal(("Searchable", 3), ((string?)read["projection"]!["state"], (int)read["projection"]!["searchableVersion"]!));
        }
        finally
        {
            factory.Index.Release();
        }
    }

    [Fact]
    public async Task Every_record_file_write_takes_the_wait()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        const string Wait = "?wait=searchable&timeoutMs=30000";
        var created = await client.PostAsync($"{P}/record-files{Wait}", Json(RecordFile(fondsCode, "02.CHO")), Ct).ExpectAsync(201);
        var code = (string)created["fileCode"]!;
        AssertSearchable(created, 1);
        AssertSearchable(await client.PostAsync($"{FileUrl(code)}/documents{Wait}", Json(new { subject = "Tờ trình" }), Ct).ExpectAsync(201), 2);
        AssertSearchable(await client.PutWithIfMatch($"{FileUrl(code)}/documents/1{Wait}", Json(new { subject = "Tờ trình đã sửa" }), "\"v2\"").ExpectAsync(200), 3);
        AssertSearchable(await client.PutAsync($"{ContentUrl(code, 1, "ghi-chu.txt")}{Wait}", Bytes("ghi chú"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200), 4);
        AssertSearchable(await client.DeleteAsync($"{ContentUrl(code, 1, "ghi-chu.txt")}{Wait}", Ct).ExpectAsync(200), 5);
        AssertSearchable(await client.PutWithIfMatch($"{FileUrl(code)}{Wait}", Json(RecordFile(fondsCode, "02.CHO", title: "Đổi tên")), "\"v5\"").ExpectAsync(200), 6);
    }

    [Theory]
    [InlineData("wait=searchable&timeoutMs=30001", "timeoutMs", "wait.timeout-range")]
    [InlineData("wait=searchable&timeoutMs=-1", "timeoutMs", "wait.timeout-range")]
    [InlineData("wait=searchable&timeoutMs=soon", "timeoutMs", "parameter.format")]
    [InlineData("wait=indexed", "wait", "wait.value")]
    public async Task A_bad_wait_is_a_400_naming_the_parameter_and_changes_nothing(string query, string field, string rule)
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        await client.PostAsync($"{P}/record-files?{query}", Json(RecordFile(fondsCode, "03.SAI")), Ct).ExpectProblemAsync(400, field, rule);
        await client.GetAsync(FileUrl($"{agencyId}.2015.03.SAI"), Ct).ExpectProblemAsync(404);
    }

    private static void AssertSearchable(System.Text.Json.Nodes.JsonNode response, int version)
    {
        Assert.Equal(version, (int)response["version"]!);
        Assert.Equal("Searchable", (string?)response["projection"]!["state"]);
        Assert.True((int)response["projection"]!["searchableVersion"]! >= version);
    }
}
