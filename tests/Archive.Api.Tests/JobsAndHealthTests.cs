using Archive.Api.Tests.Support;
using Archive.Indexing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Reindex job (202, progress, single run → 409), health, OpenAPI and Swagger UI.</summary>
public sealed class JobsAndHealthTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Reindex_starts_in_the_background_reports_progress_and_rebuilds_search()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "07.KHCN");

        using (var started = await client.PostAsync($"{P}/jobs/reindex", Json(new { restart = true, batchSize = 1 }), Ct))
        {
            Assert.Equal(202, (int)started.StatusCode);
            Assert.Equal($"{P}/jobs/reindex", started.Headers.Location?.ToString());
        }

        var status = await PollAsync(client);
        Assert.Equal("Completed", (string?)status["state"]);
        Assert.True((long)status["processed"]! >= 1);
        Assert.True((long)status["documentsIndexed"]! >= 1);
        var hits = await client.GetAsync($"{P}/search?filter=agency:{agencyId}&consistent=true", Ct).ExpectAsync(200);
        Assert.Contains(hits["hits"]!.AsArray(), h => (string?)h!["id"] == fileCode);
    }

    [Fact]
    public async Task Only_one_reindex_runs_at_a_time()
    {
        var client = factory.CreateClient();
        var reindex = factory.Services.GetRequiredService<ReindexService>();

        // Hold a run open from inside: the engine reports progress synchronously, so blocking the first report keeps it running.
        using var gate = new SemaphoreSlim(0);
        using var reported = new SemaphoreSlim(0);
        var progress = new BlockingProgress(reported, gate);
        var run = Task.Run(async () => await reindex.RunAsync(new ReindexRequest { Restart = true }, progress, Ct), Ct);
        Assert.True(await reported.WaitAsync(TimeSpan.FromSeconds(30), Ct), "the reindex did not start");
        try
        {
            var problem = await client.PostAsync($"{P}/jobs/reindex", null, Ct).ExpectProblemAsync(409, "job", "job.running");
            Assert.Contains("already running", (string?)problem["detail"], StringComparison.Ordinal);
            var status = await client.GetAsync($"{P}/jobs/reindex", Ct).ExpectAsync(200);
            Assert.Equal("Running", (string?)status["state"]);
        }
        finally
        {
            progress.Release();
            gate.Release(100);
        }

        await run;
        await client.PostAsync($"{P}/jobs/reindex", null, Ct).ExpectAsync(202);
        await PollAsync(client);
    }

    [Fact]
    public async Task Health_reports_storage_and_search()
    {
        var client = factory.CreateClient();
        var health = await client.GetAsync("/health", Ct).ExpectAsync(200);
        Assert.Equal("Healthy", (string?)health["status"]);
        Assert.Equal("Healthy", (string?)health["checks"]!["archive-storage"]!["status"]);
        Assert.Equal("Healthy", (string?)health["checks"]!["archive-search"]!["status"]);
    }

    [Fact]
    public async Task OpenAPI_document_and_Swagger_UI_are_served_with_Vietnamese_descriptions()
    {
        var client = factory.CreateClient();
        var doc = await client.GetStringAsync("/openapi/archive.json", Ct);
        Assert.Contains("\"openapi\": \"3.0", doc, StringComparison.Ordinal);
        Assert.Contains("Trích yếu nội dung", doc, StringComparison.Ordinal);
        Assert.Contains("Mã hồ sơ (FileCode)", doc, StringComparison.Ordinal);
        Assert.Contains("\"example\": \"000.00.00.G09.2024.01.TCCB\"", doc, StringComparison.Ordinal);
        Assert.Contains("/api/record-files/{fileCode}/documents/{docOrdinal}/contents/{fileName}", doc, StringComparison.Ordinal);
        using var ui = await client.GetAsync("/swagger/index.html", Ct);
        Assert.Equal(200, (int)ui.StatusCode);
        Assert.Contains("swagger", await ui.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> PollAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.GetAsync($"{P}/jobs/reindex", Ct).ExpectAsync(200);
            var state = (string?)status["state"];
            if (state is "Completed" or "Failed" or "Canceled")
            {
                Assert.Equal("Completed", state);
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, "the reindex did not finish in 60 s");
            await Task.Delay(50, Ct);
        }
    }

    private sealed class BlockingProgress(SemaphoreSlim reported, SemaphoreSlim gate) : IProgress<ReindexStatus>
    {
        private int _released;

        public void Release() => Interlocked.Exchange(ref _released, 1);

        public void Report(ReindexStatus value)
        {
            if (Volatile.Read(ref _released) == 0 && value.State == ReindexState.Running)
            {
                reported.Release();
                gate.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }
}
