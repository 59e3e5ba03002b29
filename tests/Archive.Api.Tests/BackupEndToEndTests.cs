using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Backup and restore end to end (issue #18 item 5), <b>through the client NSwag generates from the served OpenAPI
/// document</b> against a real <c>Archive.Server</c> process: a full and an incremental backup created over REST while the
/// server runs (and takes writes), the sets verified and one restored with the CLI into a new data folder, a second
/// server started on it, and search finding the record files there; the refusals (a non-administrator, an unknown base
/// set, an unknown job, a data folder that is not empty) name their rule.
/// </summary>
public sealed class BackupEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.82.H27";
    private const string Fonds = "P-HOABINH";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-backup-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ServerProcess> _servers = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Backup_over_rest_while_serving_then_verify_and_restore_with_the_cli_and_a_second_server_finds_the_files()
    {
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        var backups = Path.Combine(_root, "backups");
        var environment = new Dictionary<string, string>
        {
            ["Archive__Backup__Path"] = backups,
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__0__Clearance"] = "secret",
            ["Archive__Auth__ApiKeys__1__Name"] = "luu-tru",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Archivist,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
        };
        var server = await StartAsync(Path.Combine(_root, "data"), environment);
        var admin = server.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = server.Client(clerkKey, TimeSpan.FromMinutes(2));

        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Hòa Bình" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Hòa Bình", AgencyId = Agency, Language = "vi" }, Ct);
        var budget = await FileAsync(admin, "1.TC", "Hồ sơ dự toán ngân sách xã Hòa Bình năm 2016");
        await admin.AddDocumentAsync(budget, null, null, null, new DocumentRequest
        {
            TypeName = "Quyết định", CodeNumber = "12", CodeNotation = "QĐ-UBND", IssuedDate = new DateOnly(2016, 4, 2), OrganName = "UBND xã Hòa Bình", Subject = "Phê duyệt dự toán kênh mương nội đồng", Language = "vi", PageAmount = 3,
        }, Ct);

        // A full backup over REST while a clerk keeps filing.
        var started = await admin.StartBackupAsync(new StartBackupRequest(), Ct);
        Assert.Equal("full", started.Kind);
        Assert.Contains(started.State, new[] { "queued", "running" });
        var during = await FileAsync(admin, "2.VP", "Hồ sơ kế hoạch thủy lợi xã Hòa Bình năm 2016");
        var full = await CompletedAsync(admin, started.Id);
        Assert.True(full.Files > 0);
        Assert.Matches("^[0-9a-f]{64}$", full.ManifestSha256);
        Assert.False(full.Sealed);
        Assert.Equal("completed", full.Progress!.Phase);

        // Then an incremental one on it, after one more record file.
        var after = await FileAsync(admin, "3.DC", "Hồ sơ địa chính xã Hòa Bình năm 2016");
        var incremental = await CompletedAsync(admin, (await admin.StartBackupAsync(new StartBackupRequest { IncrementalFrom = full.Id }, Ct)).Id);
        Assert.Equal(("incremental", full.Id), (incremental.Kind, incremental.IncrementalFrom));
        Assert.True(incremental.Progress!.FilesStored < incremental.Files / 2, $"{incremental.Progress.FilesStored} of {incremental.Files} stored");
        Assert.Contains((await admin.ListBackupsAsync(Ct)).Select(b => b.Id), id => id == incremental.Id);

        // Refusals: only administrators; an unknown base set; an unknown job.
        var denied = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.StartBackupAsync(new StartBackupRequest(), Ct));
        Assert.Equal(403, denied.StatusCode);
        var unknownBase = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => admin.StartBackupAsync(new StartBackupRequest { IncrementalFrom = "khong-co" }, Ct));
        Assert.Equal(422, unknownBase.StatusCode);
        var error = Assert.Single(unknownBase.Result.Errors);
        Assert.Equal(("incrementalFrom", "backup.base-not-found"), (error.Field, error.Rule));
        var unknownJob = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => admin.GetBackupAsync("khong-co", Ct));
        Assert.Equal(404, unknownJob.StatusCode);

        // Verify with the CLI while the server still runs.
        var set = Path.Combine(backups, incremental.Id);
        var verify = await ServerProcess.RunCliAsync(Path.Combine(_root, "data"), ["backup", "verify", set], Ct);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Errors);
        Assert.Contains("Sound.", verify.Output, StringComparison.Ordinal);
        Assert.Contains(full.Id, verify.Output, StringComparison.Ordinal);

        // The CLI backs up beside the running server too: an incremental set on the REST one.
        var cliSet = Path.Combine(backups, "cli-incr");
        var created = await ServerProcess.RunCliAsync(Path.Combine(_root, "data"), ["backup", "create", "--to", cliSet, "--incremental-from", Path.Combine(backups, full.Id), "--user", "Nguyễn Văn Quản"], Ct);
        Assert.True(created.ExitCode == 0, created.Output + created.Errors);
        Assert.Contains("Backup set cli-incr (incremental, on " + full.Id + ")", created.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await ServerProcess.RunCliAsync(Path.Combine(_root, "data"), ["backup", "verify", cliSet], Ct)).ExitCode);

        // Restore refuses a data folder in use (not empty), naming the rule; then restores into a new one.
        var refused = await ServerProcess.RunCliAsync(Path.Combine(_root, "other"), ["backup", "restore", set, "--data", Path.Combine(_root, "data")], Ct);
        Assert.NotEqual(0, refused.ExitCode);
        var restoredData = Path.Combine(_root, "restored");
        var restore = await ServerProcess.RunCliAsync(restoredData, ["backup", "restore", set, "--data", restoredData], Ct);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Errors);
        Assert.Contains("Search index rebuilt: Completed", restore.Output, StringComparison.Ordinal);
        var again = await ServerProcess.RunCliAsync(restoredData, ["backup", "restore", set, "--data", restoredData], Ct);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("backup.target-not-empty", again.Errors, StringComparison.Ordinal);

        // A second server on the restored folder: the record files are there and searchable.
        var second = await StartAsync(restoredData, environment);
        var restoredAdmin = second.Client(adminKey, TimeSpan.FromMinutes(2));
        var found = await restoredAdmin.SearchAsync("kenh muong noi dong", null, null, null, null, null, null, null, null, null, null, null, null, true, Ct);
        Assert.Contains(found.Hits, h => h.FileCode == budget);
        var all = await restoredAdmin.SearchAsync("Hòa Bình", null, null, null, null, null, null, null, null, null, null, null, null, true, Ct);
        Assert.Contains(all.Hits, h => h.FileCode == during);
        Assert.Contains(all.Hits, h => h.FileCode == after);
        Assert.Equal(budget, (await restoredAdmin.GetRecordFileAsync(budget, Ct)).FileCode);
    }

    private async Task<ServerProcess> StartAsync(string data, Dictionary<string, string> environment)
    {
        var server = await ServerProcess.StartAsync(data, environment, Ct);
        _servers.Add(server);
        return server;
    }

    private static async Task<BackupJobDto> CompletedAsync(ArchiveClient client, string id)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (true)
        {
            var job = await client.GetBackupAsync(id, Ct);
            if (job.State is "completed" or "failed" or "interrupted" || DateTimeOffset.UtcNow > deadline)
            {
                Assert.True(job.State == "completed", $"backup {id}: {job.State} {job.Error}");
                return job;
            }

            await Task.Delay(200, Ct);
        }
    }

    private static async Task<string> FileAsync(ArchiveClient client, string notation, string title)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = Fonds,
            FileCatalog = 2016,
            FileNotation = notation,
            Title = title,
            Maintenance = "permanent",
            Rights = Generated.AccessLevel.Public,
            Creator = "Văn phòng HĐND và UBND xã",
            Language = "vi",
            StartDate = new DateOnly(2016, 1, 5),
            EndDate = new DateOnly(2016, 12, 20),
        }, Ct)).FileCode;
}
