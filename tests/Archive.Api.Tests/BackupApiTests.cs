using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>The backup jobs over HTTP (issue #18 item 5): refusals naming their rule, and a job run to completion with progress.</summary>
public sealed class BackupApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_backup_folder_a_backup_is_refused_and_only_administrators_reach_the_jobs()
    {
        var admin = factory.CreateClient();
        var problem = await admin.PostAsJsonAsync($"{P}/backups", new { }, Ct).ExpectProblemAsync(409, "backup", "backup.not-configured");
        Assert.Contains("Archive:Backup:Path", (string?)problem["errors"]![0]!["message"], StringComparison.Ordinal);
        Assert.Contains("sao lưu", (string?)problem["errors"]![0]!["message"], StringComparison.Ordinal);
        await factory.CreateClientFor("archivist", ["000.00.00.G09"], clearance: true).PostAsJsonAsync($"{P}/backups", new { }, Ct).ExpectProblemAsync(403);
        await factory.CreateClientFor("supervisor").GetAsync($"{P}/backups", Ct).ExpectProblemAsync(403);
        await admin.GetAsync($"{P}/backups/khong-co", Ct).ExpectProblemAsync(404);
        await admin.GetAsync($"{P}/backups/..%2F..%2Fetc", Ct).ExpectProblemAsync(404);
    }

    [Fact]
    public async Task A_backup_job_runs_to_completion_with_progress_and_an_unknown_or_path_like_base_is_refused()
    {
        await using var withFolder = new BackupFolderFactory();
        var admin = withFolder.CreateClient();
        (await admin.PostAsJsonAsync($"{P}/agencies", new { id = "000.00.00.G09", name = "Bộ Nội vụ" }, Ct)).EnsureSuccessStatusCode();

        var started = await admin.PostAsJsonAsync($"{P}/backups", new { }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = (await started.Content.ReadFromJsonAsync<JsonNode>(Ct))!;
        var id = (string)job["id"]!;
        Assert.EndsWith("/backups/" + id, started.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("full", (string?)job["kind"]);

        var done = await SettledAsync(admin, id);
        Assert.Equal("completed", (string?)done["state"]);
        Assert.True((long)done["files"]! > 0);
        Assert.Equal((long)done["files"]!, (long)done["progress"]!["files"]!);
        Assert.Matches("^[0-9a-f]{64}$", (string?)done["manifestSha256"]);
        Assert.True(File.Exists(Path.Combine(withFolder.BackupPath, id, "backup.json")));
        Assert.Contains((await admin.GetFromJsonAsync<JsonArray>($"{P}/backups", Ct))!, j => (string?)j!["id"] == id);

        foreach (var bad in new[] { "khong-co", "../" + id, "/tmp" })
        {
            await admin.PostAsJsonAsync($"{P}/backups", new { incrementalFrom = bad }, Ct).ExpectProblemAsync(422, "incrementalFrom", "backup.base-not-found");
        }

        var incremental = await admin.PostAsJsonAsync($"{P}/backups", new { incrementalFrom = id }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, incremental.StatusCode);
        var second = (await incremental.Content.ReadFromJsonAsync<JsonNode>(Ct))!;
        Assert.Equal("incremental", (string?)second["kind"]);
        var secondDone = await SettledAsync(admin, (string)second["id"]!);
        Assert.Equal(("completed", id), ((string?)secondDone["state"], (string?)secondDone["incrementalFrom"]));
    }

    private static async Task<JsonNode> SettledAsync(HttpClient client, string id)
    {
        JsonNode job;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        do
        {
            await Task.Delay(100, Ct);
            job = (await client.GetFromJsonAsync<JsonNode>($"{P}/backups/{id}", Ct))!;
        }
        while ((string?)job["state"] is "queued" or "running" && DateTime.UtcNow < deadline);

        return job;
    }

    private sealed class BackupFolderFactory : ApiFactory
    {
        public string BackupPath { get; } = Path.Combine(Path.GetTempPath(), "archive-api-backups", Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Archive:Backup:Path", BackupPath);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            try
            {
                Directory.Delete(BackupPath, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
