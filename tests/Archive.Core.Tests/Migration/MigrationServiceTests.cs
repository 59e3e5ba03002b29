using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Archive.Core.Tests.Records;
using Archive.Migration;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.Core.Tests.Migration;

/// <summary>
/// Bulk migration from e-office exports (issue #19 item 2) through <see cref="MigrationService"/>: a bad row keeps its
/// whole record file out and is reported (row, code, field, rule) while the rest is imported; re-running is idempotent;
/// a job stopped after a checkpoint resumes there; malformed manifests and hostile archives are refused as a whole.
/// </summary>
public sealed class MigrationServiceTests : IAsyncLifetime
{
    private const string Header = "fileCode,fondsCode,fileCatalog,fileNotation,title,maintenance,rights,startDate,endDate,docOrdinal,typeName,codeNumber,codeNotation,issuedDate,organName,subject,pageAmount,contentPath,sha256";
    private readonly string _exports = Path.Combine(Path.GetTempPath(), "archive-migration-tests", Guid.NewGuid().ToString("N"));
    private ArchiveHarness _h = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MigrationService Migration => _h.Services.GetRequiredService<MigrationService>();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_exports);
        _h = ArchiveHarness.Create();
        await _h.SeedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        try
        {
            Directory.Delete(_exports, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Code(string notation) => $"{ArchiveHarness.AgencyId}.2016.{notation}";

    private static string Row(string notation, int ordinal, string path, string sha, string issued = "2016-03-19", string title = "Hồ sơ dự toán năm 2016", string rights = "Công khai", string subject = "Về việc dự toán ngân sách")
        => $"{Code(notation)},{ArchiveHarness.FondsCode},2016,{notation},\"{title}\",10 năm,{rights},2016-01-05,2016-12-20,{ordinal},Công văn,{ordinal:D2},UBND-VP,{issued},UBND xã Hòa Bình,\"{subject}\",2,{path},{sha}";

    /// <summary>Writes a content file into the export folder and answers its SHA-256.</summary>
    private static string Content(string folder, string path, string text)
    {
        var full = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text, new UTF8Encoding(false));
        return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)));
    }

    private string Folder(string name)
    {
        var folder = Path.Combine(_exports, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private async Task<MigrationJob> RunAsync(string path)
    {
        var job = await Migration.CreateLocalAsync(path, ArchiveHarness.User, Ct);
        return await Migration.RunAsync(job.Id, null, Ct);
    }

    private async Task<List<MigrationRowError>> ErrorsAsync(string id) => await (await Migration.GetErrorsAsync(id, null, Ct))!.ToListAsync(Ct);

    /// <summary>A CSV export whose rows of one record file are not contiguous, with bad rows in three other record files.</summary>
    private string MixedExport()
    {
        var folder = Folder("mixed");
        var a1 = Content(folder, "A/cv01.txt", "Công văn số 01 về dự toán");
        var a2 = Content(folder, "A/cv01-phu-luc.txt", "Phụ lục dự toán");
        var a3 = Content(folder, "A/cv02.txt", "Công văn số 02 về quyết toán");
        var b1 = Content(folder, "B/qd.txt", "Quyết định");
        var c1 = Content(folder, "C/ok.txt", "Tờ trình");
        var d1 = Content(folder, "D/tt.txt", "Thông báo");
        var lines = new[]
        {
            Header,
            Row("01.VP", 1, "A/cv01.txt", a1),                                    // row 2
            Row("02.TC", 1, "B/qd.txt", new string('0', 64)),                     // row 3: checksum mismatch
            Row("01.VP", 1, "A/cv01-phu-luc.txt", a2),                            // row 4: a second content of document 1
            Row("03.KH", 1, "C/ok.txt", c1),                                      // row 5: fine, but its record file has bad rows
            Row("03.KH", 2, "../../etc/passwd", c1),                              // row 6: climbs out
            Row("03.KH", 3, "C/missing.txt", c1, issued: "31/02/2016"),           // row 7: missing file and no such date
            Row("01.VP", 2, "A/cv02.txt", a3),                                    // row 8: not contiguous with rows 2 and 4
            Row("04.TB", 1, "D/tt.txt", d1, rights: "Tối mật"),                   // row 9: unknown access level
            Row("04.TB", 1, "D/tt.txt", d1, rights: "Tối mật"),                   // row 10: the same row again
        };
        File.WriteAllLines(Path.Combine(folder, "manifest.csv"), lines, new UTF8Encoding(false));
        return folder;
    }

    [Fact]
    public async Task A_bad_row_keeps_its_record_file_out_and_is_reported_while_the_others_are_imported()
    {
        var folder = MixedExport();
        var job = await RunAsync(folder);

        Assert.Equal(MigrationJobState.Completed, job.State);
        var p = job.Progress;
        Assert.Equal((9L, 9L, 4L), (p.RowsTotal, p.RowsDone, p.RecordFilesTotal));
        Assert.Equal((1L, 0L, 3L), (p.RecordFilesImported, p.RecordFilesSkipped, p.RecordFilesFailed));
        Assert.Equal(2L, p.DocumentsImported);

        var imported = (await _h.Files.GetAsync(Code("01.VP"), Ct))!.Value;
        Assert.Equal([1, 2], imported.Documents.Select(d => d.DocOrdinal));
        Assert.Equal(2, imported.Documents[0].Contents.Count);
        Assert.Null(await _h.Files.GetAsync(Code("02.TC"), Ct));
        Assert.Null(await _h.Files.GetAsync(Code("03.KH"), Ct)); // row 5 was fine: the record file is imported whole or not at all
        Assert.Null(await _h.Files.GetAsync(Code("04.TB"), Ct));

        var errors = await ErrorsAsync(job.Id);
        var found = errors.Select(e => (e.Row, e.FileCode, e.Field, e.Rule)).ToHashSet();
        Assert.Contains((3L, Code("02.TC"), "sha256", "content.sha256-mismatch"), found);
        Assert.Contains((6L, Code("03.KH"), "contentPath", MigrationRules.PathUnsafe), found);
        Assert.Contains((7L, Code("03.KH"), "contentPath", MigrationRules.ContentMissing), found);
        Assert.Contains((7L, Code("03.KH"), "issuedDate", "format"), found);
        Assert.Contains((9L, Code("04.TB"), "rights", "enum"), found);
        Assert.Contains((10L, Code("04.TB"), "contentPath", MigrationRules.RowDuplicate), found);
        Assert.DoesNotContain(errors, e => e.Row is 2 or 4 or 5 or 8);
        Assert.Equal(5L, p.RowsFailed); // rows 3, 6, 7, 9, 10

        // The report as CSV, for a spreadsheet.
        using var csv = new MemoryStream();
        await MigrationService.WriteCsvAsync((await Migration.GetErrorsAsync(job.Id, null, Ct))!, csv, Ct);
        var text = Encoding.UTF8.GetString(csv.ToArray());
        Assert.StartsWith("\uFEFFrow,fileCode,field,rule,message", text, StringComparison.Ordinal);
        Assert.Contains($"3,{Code("02.TC")},sha256,content.sha256-mismatch,", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_an_export_again_skips_what_is_imported_and_reports_a_code_with_other_content()
    {
        var folder = MixedExport();
        await RunAsync(folder);

        var again = await RunAsync(folder);
        Assert.Equal(MigrationJobState.Completed, again.State);
        Assert.Equal((0L, 1L, 3L), (again.Progress.RecordFilesImported, again.Progress.RecordFilesSkipped, again.Progress.RecordFilesFailed));
        Assert.Equal(2L, again.Progress.DocumentsSkipped);
        Assert.Equal(1, (await _h.Files.GetAsync(Code("01.VP"), Ct))!.Version); // not written again

        // Same code, other content: reported, never overwritten.
        var changed = Folder("changed");
        var sha = Content(changed, "A/cv01.txt", "Một nội dung khác");
        File.WriteAllLines(Path.Combine(changed, "manifest.csv"), [Header, Row("01.VP", 1, "A/cv01.txt", sha)], new UTF8Encoding(false));
        var third = await RunAsync(changed);
        Assert.Equal((0L, 0L, 1L), (third.Progress.RecordFilesImported, third.Progress.RecordFilesSkipped, third.Progress.RecordFilesFailed));
        var error = Assert.Single(await ErrorsAsync(third.Id));
        Assert.Equal((2L, "fileCode", MigrationRules.ExistsDifferent), (error.Row, error.Field, error.Rule));
        var stored = (await _h.Files.GetAsync(Code("01.VP"), Ct))!;
        Assert.Equal(1, stored.Version);
        Assert.Equal(2, stored.Value.Documents.Count);
    }

    [Fact]
    public async Task A_job_stopped_after_a_checkpoint_resumes_there_and_imports_each_record_file_once()
    {
        await _h.DisposeAsync();
        _h = ArchiveHarness.Create(services: s => s.Configure<MigrationOptions>(o => o.BatchSize = 2));
        await _h.SeedAsync();
        var folder = Folder("resume");
        var lines = new List<string> { Header };
        for (var i = 1; i <= 7; i++)
        {
            var notation = $"{i:D2}.VP";
            lines.Add(Row(notation, 1, $"f{i}/a.txt", Content(folder, $"f{i}/a.txt", "Văn bản " + i)));
        }

        File.WriteAllLines(Path.Combine(folder, "manifest.csv"), lines, new UTF8Encoding(false));
        var job = await Migration.CreateLocalAsync(folder, ArchiveHarness.User, Ct);

        // Stopped (as by a restart) once the second batch is saved.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = 0;
        var progress = new SyncProgress(p =>
        {
            if (p.RecordFilesImported >= 4 && ++reports == 1)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Migration.RunAsync(job.Id, progress, stop.Token));
        var stopped = (await Migration.GetAsync(job.Id, null, Ct))!;
        Assert.Equal(MigrationJobState.Running, stopped.State);
        Assert.Equal(Code("04.VP"), stopped.Checkpoint);
        Assert.Equal(4L, stopped.Progress.RecordFilesImported);

        var done = await Migration.RunAsync(job.Id, null, Ct);
        Assert.Equal(MigrationJobState.Completed, done.State);
        Assert.Equal((7L, 0L, 0L, 7L), (done.Progress.RecordFilesImported, done.Progress.RecordFilesSkipped, done.Progress.RecordFilesFailed, done.Progress.RowsDone));
        for (var i = 1; i <= 7; i++)
        {
            Assert.Equal(1, (await _h.Files.GetAsync(Code($"{i:D2}.VP"), Ct))!.Version);
        }
    }

    [Fact]
    public async Task A_malformed_manifest_is_refused_as_a_whole_naming_the_row_and_field()
    {
        var missing = Folder("no-column");
        File.WriteAllLines(Path.Combine(missing, "manifest.csv"), ["fileCode,fondsCode,fileCatalog,fileNotation,title,contentPath", $"{Code("01.VP")},{ArchiveHarness.FondsCode},2016,01.VP,Hồ sơ,"]);
        var job = await RunAsync(missing);
        Assert.Equal(MigrationJobState.Failed, job.State);
        var error = Assert.Single(await ErrorsAsync(job.Id));
        Assert.Equal((1L, "sha256", MigrationRules.ColumnMissing), (error.Row, error.Field, error.Rule));

        var unknown = Folder("unknown-column");
        File.WriteAllLines(Path.Combine(unknown, "manifest.csv"), [Header + ",accessLevel"]);
        Assert.Equal(MigrationRules.ColumnUnknown, Assert.Single(await ErrorsAsync((await RunAsync(unknown)).Id)).Rule);

        var ragged = Folder("ragged");
        File.WriteAllLines(Path.Combine(ragged, "manifest.csv"), [Header, "a,b,c"]);
        var raggedError = Assert.Single(await ErrorsAsync((await RunAsync(ragged)).Id));
        Assert.Equal((2L, MigrationRules.ManifestMalformed), (raggedError.Row, raggedError.Rule));

        var none = Folder("none");
        Assert.Equal(MigrationRules.ManifestMissing, Assert.Single(await ErrorsAsync((await RunAsync(none)).Id)).Rule);

        var badJson = Folder("bad-json");
        File.WriteAllText(Path.Combine(badJson, "manifest.json"), "[{\"fileCode\": \"x\", \"fileCatalog\": \"năm\"}]");
        var jsonError = Assert.Single(await ErrorsAsync((await RunAsync(badJson)).Id));
        Assert.Equal((1L, MigrationRules.ManifestMalformed), (jsonError.Row, jsonError.Rule));
        Assert.Empty(await _h.Files.ListAsync(new Archive.Records.RecordFileQuery(), Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_json_manifest_in_a_gzip_tar_is_imported_and_its_fields_are_named_by_path()
    {
        var folder = Folder("json");
        var ok = Content(folder, "vb/1.txt", "Văn bản một");
        var json = $$"""
            [
              { "fileCode": "{{Code("01.VP")}}", "fondsCode": "{{ArchiveHarness.FondsCode}}", "fileCatalog": 2016, "fileNotation": "01.VP", "title": "Hồ sơ hội nghị", "maintenance": "Vĩnh viễn",
                "documents": [ { "typeName": "Báo cáo", "codeNumber": "07", "codeNotation": "BC-UBND", "issuedDate": "2016-05-02", "organName": "UBND xã", "subject": "Tổng kết năm",
                                 "contents": [ { "path": "vb/1.txt", "sha256": "{{ok}}" } ] } ] },
              { "fileCode": "{{Code("02.VP")}}", "fondsCode": "{{ArchiveHarness.FondsCode}}", "fileCatalog": 2016, "fileNotation": "02.VP", "title": "Hồ sơ thi đua", "maintenance": "10 năm",
                "documents": [ { "typeName": "Quyết định", "codeNumber": "08", "codeNotation": "QĐ-UBND", "issuedDate": "2016-06-02", "organName": "UBND xã", "subject": "Khen thưởng",
                                 "contents": [ { "path": "vb/1.txt", "sha256": "{{new string('a', 64)}}" } ] } ] }
            ]
            """;
        File.WriteAllText(Path.Combine(folder, "manifest.json"), json, new UTF8Encoding(false));
        var tar = Path.Combine(_exports, "export.tar.gz");
        await using (var file = File.Create(tar))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await TarFile.CreateFromDirectoryAsync(folder, gzip, includeBaseDirectory: false, Ct);
        }

        var job = await RunAsync(tar);
        Assert.Equal(MigrationJobState.Completed, job.State);
        Assert.Equal((1L, 1L), (job.Progress.RecordFilesImported, job.Progress.RecordFilesFailed));
        var error = Assert.Single(await ErrorsAsync(job.Id));
        Assert.Equal((2L, Code("02.VP"), "documents[0].contents[0].sha256", "content.sha256-mismatch"), (error.Row, error.FileCode, error.Field, error.Rule));
        Assert.NotNull(await _h.Files.GetAsync(Code("01.VP"), Ct));
    }

    [Fact]
    public async Task Hostile_archives_are_refused_as_a_whole_and_nothing_is_imported()
    {
        var folder = Folder("hostile-src");
        var sha = Content(folder, "a.txt", "Văn bản");
        var manifest = Encoding.UTF8.GetBytes(Header + "\n" + Row("01.VP", 1, "a.txt", sha) + "\n");

        // A tar with a symbolic link, a hard link, a device and a name climbing out.
        var tar = Path.Combine(_exports, "hostile.tar");
        await using (var file = File.Create(tar))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "manifest.csv") { DataStream = new MemoryStream(manifest) }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "a.txt") { DataStream = new MemoryStream(File.ReadAllBytes(Path.Combine(folder, "a.txt"))) }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "passwd") { LinkName = "/etc/passwd" }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.HardLink, "shadow") { LinkName = "/etc/shadow" }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.CharacterDevice, "null"), Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "../escape.txt") { DataStream = new MemoryStream([1]) }, Ct);
        }

        var job = await RunAsync(tar);
        Assert.Equal(MigrationJobState.Failed, job.State);
        var errors = await ErrorsAsync(job.Id);
        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.Equal((0L, "entry", MigrationRules.EntryUnsafe), (e.Row, e.Field, e.Rule)));
        Assert.False(File.Exists(Path.Combine(_h.DataPath, "escape.txt")));

        // A zip-slip entry and a symbolic link in a ZIP.
        var zip = Path.Combine(_exports, "hostile.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using (var s = archive.CreateEntry("manifest.csv").Open())
            {
                s.Write(manifest);
            }

            using (var s = archive.CreateEntry("../../evil.txt").Open())
            {
                s.Write([1]);
            }

            var link = archive.CreateEntry("link");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using (var s = link.Open())
            {
                s.Write("/etc/passwd"u8);
            }
        }

        var zipJob = await RunAsync(zip);
        Assert.Equal(MigrationJobState.Failed, zipJob.State);
        Assert.Equal(2, (await ErrorsAsync(zipJob.Id)).Count(e => e.Rule == MigrationRules.EntryUnsafe));
        Assert.Empty(await _h.Files.ListAsync(new Archive.Records.RecordFileQuery(), Ct).ToListAsync(Ct));

        // A folder export whose content path goes through a symbolic link out of it.
        var linked = Folder("linked");
        Directory.CreateSymbolicLink(Path.Combine(linked, "out"), Path.GetTempPath());
        File.WriteAllText(Path.Combine(linked, "manifest.csv"), Header + "\n" + Row("01.VP", 1, "out/x.txt", sha) + "\n");
        var linkError = Assert.Single(await ErrorsAsync((await RunAsync(linked)).Id));
        Assert.Equal(("contentPath", MigrationRules.PathUnsafe), (linkError.Field, linkError.Rule));
    }

    [Fact]
    public async Task A_caller_imports_only_into_fonds_it_may_change_and_sees_only_its_own_jobs()
    {
        await _h.SeedAsync("000.00.00.H49", "P-H49", "Ủy ban nhân dân tỉnh");
        var other = ArchiveCaller.Authenticated(new ArchiveUser("Lê Văn Khác"), [ArchiveRoles.Archivist], ["000.00.00.H49"]);
        var folder = MixedExport();
        var zip = Path.Combine(_exports, "mixed.zip");
        ZipFile.CreateFromDirectory(folder, zip);
        await using var upload = File.OpenRead(zip);

        var job = await Migration.StartUploadAsync(upload, "mixed.zip", other, Ct);
        Assert.Equal(MigrationSourceKind.Zip, job.Source);
        var done = await Migration.RunAsync(job.Id, null, Ct);
        Assert.Equal((0L, 4L), (done.Progress.RecordFilesImported, done.Progress.RecordFilesFailed));
        var errors = await (await Migration.GetErrorsAsync(job.Id, other, Ct))!.ToListAsync(Ct);
        Assert.Contains(errors, e => e.Row == 2 && e.Field == "fondsCode" && e.Rule == AccessRules.AgencyScope);
        Assert.Empty(await _h.Files.ListAsync(new Archive.Records.RecordFileQuery(), Ct).ToListAsync(Ct));

        // Another user does not see the job at all; an administrator does.
        var stranger = ArchiveCaller.Authenticated(new ArchiveUser("Người khác"), [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
        Assert.Null(await Migration.GetAsync(job.Id, stranger, Ct));
        Assert.Null(await Migration.GetErrorsAsync(job.Id, stranger, Ct));
        Assert.NotNull(await Migration.GetAsync(job.Id, ArchiveCaller.Authenticated(new ArchiveUser("admin"), [ArchiveRoles.Administrator]), Ct));

        // Researchers start nothing; a folder on the server is for administrators, under the import root only.
        var researcher = ArchiveCaller.Authenticated(new ArchiveUser("Độc giả"), [ArchiveRoles.Researcher]);
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await Migration.StartUploadAsync(new MemoryStream([1, 2]), null, researcher, Ct));
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await Migration.StartFolderAsync("mixed", other, Ct));
        var admin = ArchiveCaller.Authenticated(new ArchiveUser("admin"), [ArchiveRoles.Administrator]);
        var disabled = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Migration.StartFolderAsync("mixed", admin, Ct));
        Assert.Equal(("folder", MigrationRules.FolderDisabled), (disabled.Errors[0].Field, disabled.Errors[0].Rule));
    }

    [Fact]
    public async Task Bad_options_are_refused_naming_the_key()
    {
        await using var h = ArchiveHarness.Create(services: s => s.Configure<MigrationOptions>(o =>
        {
            o.ImportRoot = "relative/exports";
            o.BatchSize = 0;
        }));
        var ex = Assert.Throws<OptionsValidationException>(() => h.Services.GetRequiredService<IOptions<MigrationOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("Archive:Migration:ImportRoot", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Archive:Migration:BatchSize", StringComparison.Ordinal));
    }

    private sealed class SyncProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
