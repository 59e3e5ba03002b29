using System.IO.Compression;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Bulk migration from e-office exports end to end (issue #19 item 2), <b>through the client NSwag generates from the
/// served OpenAPI document</b> against a real <c>Archive.Server</c> process: a ZIP uploaded as the request body is imported
/// as a job whose progress is readable, bad rows come back in the error report (JSON and CSV, Vietnamese messages) while
/// the rest is imported, the same export again is skipped, a server killed in the middle of a job resumes it after its
/// restart and imports each record file once, a hostile tar is refused as a whole, folders under the import root are for
/// administrators, another user does not see the job, and the CLI reads the same job and runs an export offline.
/// </summary>
public sealed class MigrationEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.84.H27";
    private const string Fonds = "P-TANPHU";
    private const string Header = "fileCode,fondsCode,fileCatalog,fileNotation,title,maintenance,rights,docOrdinal,typeName,codeNumber,codeNotation,issuedDate,organName,subject,contentPath,sha256";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-migration-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Code(int i) => $"{Agency}.2017.{i:D3}.VP";

    /// <summary>An export folder of <paramref name="files"/> record files of two documents each; the rows of a record file are not contiguous.</summary>
    private static void Export(string folder, int files, bool bad)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<string>();
        for (var doc = 1; doc <= 2; doc++)
        {
            for (var i = 1; i <= files; i++)
            {
                var path = $"hs{i:D3}/vb{doc}.txt";
                var full = Path.Combine(folder, $"hs{i:D3}", $"vb{doc}.txt");
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, $"Văn bản {doc} của hồ sơ {i}", new UTF8Encoding(false));
                var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)));
                if (bad && i == 2 && doc == 2)
                {
                    sha = new string('0', 64); // checksum mismatch
                }

                if (bad && i == 3 && doc == 1)
                {
                    path = "hs003/khong-co.txt"; // missing file
                }

                rows.Add($"{Code(i)},{Fonds},2017,{i:D3}.VP,\"Hồ sơ công việc số {i} năm 2017\",10 năm,Công khai,{doc},Công văn,{doc:D2},UBND-VP,2017-0{doc}-1{doc % 10},UBND xã Tân Phú,\"Về việc số {i}, văn bản {doc}\",{path},{sha}");
            }
        }

        File.WriteAllLines(Path.Combine(folder, "manifest.csv"), [Header, .. rows], new UTF8Encoding(false));
    }

    private string Zip(string name, int files, bool bad)
    {
        var folder = Path.Combine(_root, "src-" + name);
        Export(folder, files, bad);
        var zip = Path.Combine(_root, name + ".zip");
        ZipFile.CreateFromDirectory(folder, zip);
        return zip;
    }

    private static async Task<MigrationJobDto> SettledAsync(ArchiveClient client, string id, TimeSpan? within = null)
    {
        var deadline = DateTimeOffset.UtcNow + (within ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var job = await client.GetMigrationAsync(id, Ct);
            if (job.State is "completed" or "failed")
            {
                return job;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"migration {id} still {job.State}: {job.Progress.Phase} {job.Progress.RowsDone}/{job.Progress.RowsTotal}");
            await Task.Delay(100, Ct);
        }
    }

    private async Task<ServerProcess> StartAsync(Dictionary<string, string> environment)
    {
        _server = await ServerProcess.StartAsync(Path.Combine(_root, "data"), environment, Ct);
        return _server;
    }

    [Fact]
    public async Task An_export_is_migrated_as_a_job_with_an_error_report_idempotently_and_resumes_after_the_server_is_killed()
    {
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        var otherKey = ApiKeyStore.NewKey();
        var imports = Path.Combine(_root, "imports");
        Directory.CreateDirectory(imports);
        var environment = new Dictionary<string, string>
        {
            ["Archive__Migration__ImportRoot"] = imports,
            ["Archive__Migration__BatchSize"] = "2",
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__1__Name"] = "van-thu",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Clerk,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
            ["Archive__Auth__ApiKeys__2__Name"] = "van-thu-khac",
            ["Archive__Auth__ApiKeys__2__KeyHash"] = ApiKeyStore.Hash(otherKey),
            ["Archive__Auth__ApiKeys__2__Roles"] = ArchiveRoles.Clerk,
            ["Archive__Auth__ApiKeys__2__Agencies"] = Agency,
        };
        var server = await StartAsync(environment);
        var admin = server.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = server.Client(clerkKey, TimeSpan.FromMinutes(2));
        var other = server.Client(otherKey, TimeSpan.FromMinutes(2));
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Tân Phú" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Tân Phú", AgencyId = Agency, Language = "vi" }, Ct);

        // A ZIP of 6 record files (12 documents), two of them with a bad row, uploaded by a clerk as the request body.
        var zip = Zip("xa-tan-phu", 6, bad: true);
        MigrationJobDto started;
        await using (var body = File.OpenRead(zip))
        {
            started = await clerk.StartMigrationAsync("xa-tan-phu.zip", new FileParameter(body, "xa-tan-phu.zip", "application/zip"), Ct);
        }

        Assert.Equal("zip", started.Source);
        var done = await SettledAsync(clerk, started.Id);
        Assert.Equal("completed", done.State);
        Assert.Equal((12L, 12L, 2L), (done.Progress.RowsTotal, done.Progress.RowsDone, done.Progress.RowsFailed));
        Assert.Equal((4L, 0L, 2L, 8L), (done.Progress.RecordFilesImported, done.Progress.RecordFilesSkipped, done.Progress.RecordFilesFailed, done.Progress.DocumentsImported));
        Assert.Equal(2, (await clerk.GetRecordFileAsync(Code(1), Ct)).Documents.Count);
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.GetRecordFileAsync(Code(2), Ct))).StatusCode);

        var errors = await clerk.GetMigrationErrorsAsync(started.Id, Ct);
        var mismatch = Assert.Single(errors, e => e.FileCode == Code(2));
        Assert.Equal((9L, "sha256", "content.sha256-mismatch"), (mismatch.Row, mismatch.Field, mismatch.Rule)); // header = row 1, documents 1 of the 6 files = rows 2-7
        var missing = Assert.Single(errors, e => e.FileCode == Code(3));
        Assert.Equal((4L, "contentPath", "migration.content-missing"), (missing.Row, missing.Field, missing.Rule));
        Assert.Contains("không", missing.Message, StringComparison.Ordinal); // Vietnamese for the clerk
        var csv = Encoding.UTF8.GetString(await BytesAsync(await clerk.GetMigrationErrorsCsvAsync(started.Id, Ct)));
        Assert.StartsWith("\uFEFFrow,fileCode,field,rule,message", csv, StringComparison.Ordinal);
        Assert.Contains($"9,{Code(2)},sha256,content.sha256-mismatch,", csv, StringComparison.Ordinal);

        // Another clerk of the same agency does not see the job; an administrator does.
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => other.GetMigrationAsync(started.Id, Ct))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => other.GetMigrationErrorsAsync(started.Id, Ct))).StatusCode);
        Assert.Contains(await admin.ListMigrationsAsync(Ct), j => j.Id == started.Id);

        // The same export again: nothing imported twice.
        MigrationJobDto again;
        await using (var body = File.OpenRead(zip))
        {
            again = await SettledAsync(clerk, (await clerk.StartMigrationAsync(null, new FileParameter(body, "x.zip", "application/octet-stream"), Ct)).Id);
        }

        Assert.Equal((0L, 4L, 2L), (again.Progress.RecordFilesImported, again.Progress.RecordFilesSkipped, again.Progress.RecordFilesFailed));
        Assert.Equal(1, (await clerk.GetRecordFileAsync(Code(1), Ct)).Version);

        // A hostile tar (a symbolic link to /etc/passwd) is refused as a whole.
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "manifest.csv") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(Header + "\n")) }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "hs001/vb1.txt") { LinkName = "/etc/passwd" }, Ct);
        }

        tar.Position = 0;
        var hostile = await SettledAsync(clerk, (await clerk.StartMigrationAsync("hostile.tar", new FileParameter(tar, "hostile.tar", "application/x-tar"), Ct)).Id);
        Assert.Equal("failed", hostile.State);
        Assert.Equal("migration.entry-unsafe", Assert.Single(await clerk.GetMigrationErrorsAsync(hostile.Id, Ct)).Rule);
        var notArchive = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.StartMigrationAsync(null, new FileParameter(new MemoryStream("xin chào"u8.ToArray()), "a.txt", "application/octet-stream"), Ct));
        Assert.Equal((422, "content", "migration.source-unsupported"), (notArchive.StatusCode, notArchive.Result.Errors.Single().Field, notArchive.Result.Errors.Single().Rule));

        // A folder under the import root: administrators only, never outside it.
        Export(Path.Combine(imports, "dot-2"), 2, bad: false);
        Assert.Equal(403, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => clerk.StartFolderMigrationAsync(new StartFolderMigrationRequest { Folder = "dot-2" }, Ct))).StatusCode);
        var outside = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => admin.StartFolderMigrationAsync(new StartFolderMigrationRequest { Folder = "../data" }, Ct));
        Assert.Equal((422, "folder", "migration.folder-outside"), (outside.StatusCode, outside.Result.Errors.Single().Field, outside.Result.Errors.Single().Rule));
        var folder = await SettledAsync(admin, (await admin.StartFolderMigrationAsync(new StartFolderMigrationRequest { Folder = "dot-2" }, Ct)).Id);
        Assert.Equal((1L, 1L), (folder.Progress.RecordFilesImported, folder.Progress.RecordFilesSkipped)); // the first is imported already; the second (refused above for its bad row) now comes whole

        // A bigger export; the server is killed while the job runs and resumes it after its restart.
        var big = Zip("lon", 60, bad: false);
        MigrationJobDto running;
        await using (var body = File.OpenRead(big))
        {
            running = await clerk.StartMigrationAsync("lon.zip", new FileParameter(body, "lon.zip", "application/zip"), Ct);
        }

        var seen = running;
        while (seen.State != "completed" && seen.Progress.RecordFilesImported == 0)
        {
            await Task.Delay(20, Ct);
            seen = await clerk.GetMigrationAsync(running.Id, Ct);
        }

        Assert.True(seen.State == "running", $"the job finished before the server could be killed ({seen.Progress.RecordFilesImported} imported); make the export bigger");
        await server.KillAsync();
        await server.DisposeAsync();
        server = await StartAsync(environment);
        clerk = server.Client(clerkKey, TimeSpan.FromMinutes(2));
        var resumed = await SettledAsync(clerk, running.Id);
        Assert.Equal("completed", resumed.State);
        Assert.Equal(60L, resumed.Progress.RecordFilesImported + resumed.Progress.RecordFilesSkipped);
        Assert.True(resumed.Progress.RecordFilesSkipped < 6 + 6, "only the files of the batch cut short (and the six already imported) may be skipped");
        Assert.Equal((0L, 120L), (resumed.Progress.RecordFilesFailed, resumed.Progress.RowsDone));
        Assert.Equal(1, (await clerk.GetRecordFileAsync(Code(60), Ct)).Version);

        // The command line reads the same job and runs an export offline (the server stopped: it holds the data folder).
        await server.DisposeAsync();
        _server = null;
        var data = Path.Combine(_root, "data");
        var status = await ServerProcess.RunCliAsync(data, ["migrate", "status", started.Id], Ct);
        Assert.True(status.ExitCode == 0, status.Output + status.Errors);
        Assert.Contains("record files 4 imported, 0 skipped, 2 not imported", status.Output, StringComparison.Ordinal);
        var report = Path.Combine(_root, "errors.csv");
        Assert.Equal(0, (await ServerProcess.RunCliAsync(data, ["migrate", "errors", started.Id, "--out", report], Ct)).ExitCode);
        Assert.Contains($"9,{Code(2)},sha256,content.sha256-mismatch,", await File.ReadAllTextAsync(report, Ct), StringComparison.Ordinal);
        var offline = Path.Combine(_root, "offline");
        Export(offline, 3, bad: true);
        var run = await ServerProcess.RunCliAsync(data, ["migrate", "run", offline, "--user", "Nguyễn Văn Thư"], Ct);
        Assert.True(run.ExitCode == 1, run.Output + run.Errors); // rows reported
        Assert.Contains("record files 0 imported, 1 skipped, 2 not imported", run.Output, StringComparison.Ordinal);
        var usage = await ServerProcess.RunCliAsync(data, ["migrate", "run"], Ct);
        Assert.Equal(2, usage.ExitCode);
    }

    private static async Task<byte[]> BytesAsync(FileResponse response)
    {
        using var buffer = new MemoryStream();
        await response.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}
