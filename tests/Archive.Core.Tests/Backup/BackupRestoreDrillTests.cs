using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Archive.Audit;
using Archive.Backup;
using Archive.Core.Tests.Records;
using Archive.Disposition;
using Archive.Exchange;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.Core.Tests.Backup;

/// <summary>
/// Backup and restore as features (issue #18 item 5): a restore drill on the real engine (folder store, Lucene) — a store
/// filled through the engine, backed up while writes continue, restored into an empty folder, reindexed and compared — and
/// the refusals of a damaged set.
/// </summary>
public sealed class BackupRestoreDrillTests : IDisposable
{
    private static readonly ArchiveCaller Admin = ArchiveCaller.Authenticated(new ArchiveUser("Quản trị hệ thống"), [ArchiveRoles.Administrator], principalId: "user:admin");
    private static readonly ArchiveUser Approver = new("Phạm Thị Duyệt");
    private readonly string _sets = Path.Combine(Path.GetTempPath(), "archive-backup-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_sets, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task Drill_backs_up_while_writes_continue_restores_into_an_empty_folder_and_everything_matches()
    {
        await using var source = ArchiveHarness.Create();
        var (kept, destroyed, live) = await FillAsync(source);
        var backups = source.Services.GetRequiredService<BackupService>();

        // Writes continue while the full backup runs: a document after the other into the live record file.
        using var stop = new CancellationTokenSource();
        var writes = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await source.Files.AddDocumentAsync(live, ArchiveHarness.DocInput((10 + writes).ToString(System.Globalization.CultureInfo.InvariantCulture), "UBND", "Văn bản ghi trong khi sao lưu " + writes), null, ArchiveHarness.User, CancellationToken.None);
                Interlocked.Increment(ref writes);
            }
        }, CancellationToken.None);
        while (Volatile.Read(ref writes) < 2)
        {
            await Task.Delay(10, Ct);
        }

        var before = Volatile.Read(ref writes);
        var full = await backups.CreateAsync(Path.Combine(_sets, "full-1"), null, Admin, null, Ct);
        var during = Volatile.Read(ref writes) - before;
        await stop.CancelAsync();
        await writer;
        Assert.True(during > 0, "no write ran while the backup did");
        Assert.Equal(BackupKind.Full, full.Manifest.Kind);
        Assert.InRange(full.Manifest.FilesStored, 1, full.Manifest.Files);
        Assert.Equal(5, full.Manifest.Objects); // agency, fonds, the kept and the live record file, the decision (holding the destroyed file's tombstone)
        Assert.True(full.Manifest.AuditSequence > 0);

        // The full set, taken while the live record file changed, restores into objects that are whole: every package
        // passes its fixity check, and the live one is exactly one of the versions it had.
        var afterWrites = await SnapshotAsync(source.Services.GetRequiredService<ArchiveStorage>());
        await using (var early = ArchiveHarness.Create())
        {
            Assert.True((await early.Services.GetRequiredService<BackupService>().RestoreAsync(Path.Combine(_sets, "full-1"), Admin, null, Ct)).Restored);
            var earlyStorage = early.Services.GetRequiredService<ArchiveStorage>();
            await AssertFixityAsync(earlyStorage);
            var liveVersions = (await earlyStorage.Files.GetInventoryAsync(live, Ct))!.Versions;
            Assert.InRange(liveVersions.Count, 2 + before, afterWrites["files/" + live].Count);
            Assert.Equal(Describe(afterWrites["files/" + live].Take(liveVersions.Count)), Describe(liveVersions));
        }

        // More changes, then an incremental set on the full one: it stores only what is new.
        await source.Files.AddDocumentAsync(kept, ArchiveHarness.DocInput("40", "UBND", "Văn bản sau bản sao đầy đủ"), null, ArchiveHarness.User, Ct);
        var incremental = await backups.CreateAsync(Path.Combine(_sets, "incr-1"), Path.Combine(_sets, "full-1"), Admin, null, Ct);
        Assert.Equal(BackupKind.Incremental, incremental.Manifest.Kind);
        Assert.Equal(("full-1", full.ManifestSha256), (incremental.Manifest.Base!.Id, incremental.Manifest.Base.ManifestSha256));
        Assert.True(incremental.Manifest.Files > full.Manifest.Files);
        Assert.True(incremental.Manifest.FilesStored < incremental.Manifest.Files / 2, $"{incremental.Manifest.FilesStored} of {incremental.Manifest.Files} stored");
        var expected = await SnapshotAsync(source.Services.GetRequiredService<ArchiveStorage>());
        var verified = await backups.VerifyAsync(Path.Combine(_sets, "incr-1"), null, Ct);
        Assert.True(verified.Sound, string.Join("; ", verified.Problems));
        Assert.Equal(["incr-1", "full-1"], verified.Chain);

        // Restore into an empty data folder, reindex, compare.
        await using var restored = ArchiveHarness.Create();
        var result = await restored.Services.GetRequiredService<BackupService>().RestoreAsync(Path.Combine(_sets, "incr-1"), Admin, null, Ct);
        Assert.True(result.Restored, string.Join("; ", result.Verification.Problems));
        Assert.Equal(incremental.Manifest.Files, result.Files);
        await restored.Reindex.RunAsync(null, null, Ct);

        var storage = restored.Services.GetRequiredService<ArchiveStorage>();
        var actual = await SnapshotAsync(storage);
        foreach (var (key, versions) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var got), $"{key} was not restored");
            Assert.Equal(Describe(versions), Describe(got!));
        }

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        await AssertFixityAsync(storage);

        // Contents read back byte for byte; the destroyed file stays destroyed, with its tombstone; search answers.
        var doc = (await restored.Files.GetAsync(kept, Ct))!.Value.Documents.Single(d => d.DocOrdinal == 1);
        await using (var content = await restored.Files.OpenContentAsync(kept, 1, doc.Contents[0].Name, null, null, Ct))
        {
            using var reader = new StreamReader(content!.Content.Stream);
            Assert.Equal("Tờ trình hợp nhất các sở, nội dung gốc.", await reader.ReadToEndAsync(Ct));
        }

        Assert.Null(await restored.Files.GetAsync(destroyed, Ct));
        var record = await restored.Services.GetRequiredService<DispositionService>().GetDestructionRecordAsync("QD-SAO-LUU", Ct);
        Assert.Equal(destroyed, Assert.Single(record!.Tombstones).FileCode);
        var hits = await restored.SearchAsync("hợp nhất");
        Assert.Contains(hits.Hits, h => h.Document.FileCode == kept);
        Assert.DoesNotContain(hits.Hits, h => h.Document.FileCode == destroyed);
        Assert.Contains((await restored.SearchAsync("sau bản sao đầy đủ")).Hits, h => h.Document.FileCode == kept);

        // The audit chain verifies, holds the source's records up to the backup's point and continues with the restore.
        var log = restored.Services.GetRequiredService<IAuditLog>();
        var chain = await log.VerifyAsync(Ct);
        Assert.True(chain.IsValid, string.Join("; ", chain.Problems));
        Assert.Equal(incremental.Manifest.AuditSequence + 1, chain.LastSequence);
        var restoreEvent = Assert.Single((await log.QueryAsync(new AuditQuery { Action = BackupAuditActions.Restore, PageSize = 10 }, Ct)).Records);
        Assert.Equal(("incr-1", "Quản trị hệ thống"), (restoreEvent.Event.ObjectId, restoreEvent.Event.Actor));
        Assert.Contains((await source.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = BackupAuditActions.Create, PageSize = 10 }, Ct)).Records, r => r.Event.ObjectId == "incr-1");
    }

    [Fact]
    public async Task A_commit_between_reading_an_inventory_and_copying_its_files_does_not_tear_the_object()
    {
        await using var source = ArchiveHarness.Create();
        var (_, _, live) = await FillAsync(source);
        var before = (await source.Services.GetRequiredService<ArchiveStorage>().Files.GetInventoryAsync(live, Ct))!;

        // Right after the backup opened the live record file's root inventory, a new version is committed: the backup
        // must copy the version it read, whole, and may hold the new one only whole (with the package journal on, the
        // change is a journal entry beside the version read, copied with its content or not at all).
        var rootInventory = ArchiveStorage.FilesRoot + "/" + OcflStorageLayout.ObjectRootPath(live) + "/inventory.json";
        var committed = false;
        var hooked = new CommitAfterRead(source.Objects, rootInventory, async () =>
        {
            await source.Files.AddDocumentAsync(live, ArchiveHarness.DocInput("99", "UBND", "Văn bản ghi giữa chừng"), null, ArchiveHarness.User, CancellationToken.None);
            await source.Files.AddContentAsync(live, 2, new ContentUpload { FileName = "giua-chung.txt", Content = new MemoryStream("ghi giữa chừng"u8.ToArray()) }, null, ArchiveHarness.User, CancellationToken.None);
            committed = true;
        });
        var torn = await new BackupService(hooked, null).CreateAsync(Path.Combine(_sets, "torn"), null, Admin, null, Ct);
        Assert.True(torn.Manifest.Objects >= 5, $"{torn.Manifest.Objects} OCFL objects");
        Assert.True(committed);
        Assert.True((await source.Services.GetRequiredService<ArchiveStorage>().Files.GetInventoryAsync(live, Ct))!.Head > before.Head);

        await using var restored = ArchiveHarness.Create();
        Assert.True((await restored.Services.GetRequiredService<BackupService>().RestoreAsync(Path.Combine(_sets, "torn"), Admin, null, Ct)).Restored);
        var storage = restored.Services.GetRequiredService<ArchiveStorage>();
        await AssertFixityAsync(storage);
        var restoredVersions = Describe((await storage.Files.GetInventoryAsync(live, Ct))!.Versions);
        Assert.StartsWith(Describe(before.Versions), restoredVersions, StringComparison.Ordinal);
        Assert.StartsWith(restoredVersions, Describe((await source.Services.GetRequiredService<ArchiveStorage>().Files.GetInventoryAsync(live, Ct))!.Versions), StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="afterRead"/> once, after <paramref name="key"/> was opened for reading and before its content is returned.</summary>
    private sealed class CommitAfterRead(Archive.Storage.IObjectStore inner, string key, Func<Task> afterRead) : Archive.Storage.DelegatingObjectStore(inner)
    {
        private int _done;

        public override async ValueTask<Archive.Storage.ObjectContent?> GetAsync(string key1, Archive.Storage.ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            var content = await base.GetAsync(key1, range, cancellationToken);
            if (key1 == key && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await afterRead();
            }

            return content;
        }
    }

    [Fact]
    public async Task A_changed_byte_or_a_missing_file_is_named_by_verify_and_restore_refuses_writing_nothing()
    {
        await using var source = ArchiveHarness.Create();
        var (kept, _, _) = await FillAsync(source);
        var backups = source.Services.GetRequiredService<BackupService>();
        await backups.CreateAsync(Path.Combine(_sets, "full"), null, Admin, null, Ct);
        var entries = (await File.ReadAllLinesAsync(Path.Combine(_sets, "full", BackupService.FileListFile), Ct)).Select(l => System.Text.Json.JsonSerializer.Deserialize<BackupFileEntry>(l)!).ToList();
        var content = entries.First(e => e.Key.StartsWith("ocfl/files/", StringComparison.Ordinal) && e.Key.Contains("/content/", StringComparison.Ordinal) && e.Key.EndsWith(".txt", StringComparison.Ordinal));
        var inventory = entries.First(e => e.Key.StartsWith("ocfl/agencies/", StringComparison.Ordinal) && e.Key.EndsWith("/inventory.json", StringComparison.Ordinal) && !e.Key.Contains("/v1/", StringComparison.Ordinal));

        // One byte changed.
        var blob = Blob("full", content.Sha256);
        var bytes = await File.ReadAllBytesAsync(blob, Ct);
        bytes[0] ^= 0x20;
        await File.WriteAllBytesAsync(blob, bytes, Ct);
        // One file missing.
        File.Delete(Blob("full", inventory.Sha256));

        var report = await backups.VerifyAsync(Path.Combine(_sets, "full"), null, Ct);
        Assert.False(report.Sound);
        Assert.Contains(report.Problems, p => p.Path == content.Key && p.Rule == "backup.file-digest");
        Assert.Contains(report.Problems, p => p.Path == inventory.Key && p.Rule == "backup.file-missing");

        await using var target = ArchiveHarness.Create();
        var restore = await target.Services.GetRequiredService<BackupService>().RestoreAsync(Path.Combine(_sets, "full"), Admin, null, Ct);
        Assert.False(restore.Restored);
        Assert.Contains(restore.Verification.Problems, p => p.Path == content.Key);
        Assert.Empty((await target.Objects.ListPageAsync(string.Empty, null, Ct)).Items);
        Assert.NotNull(kept);
    }

    [Fact]
    public async Task A_sealed_manifest_verifies_and_a_changed_manifest_or_broken_seal_is_named()
    {
        await using var source = ArchiveHarness.Create();
        await FillAsync(source);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Lưu trữ Bộ Nội vụ, O=Bộ Nội vụ", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory.CreateDirectory(_sets);
        var pfx = Path.Combine(_sets, "seal.pfx");
        await File.WriteAllBytesAsync(pfx, cert.Export(X509ContentType.Pfx, "mat-khau"), Ct);
        var cer = Path.Combine(_sets, "seal.cer");
        await File.WriteAllBytesAsync(cer, cert.Export(X509ContentType.Cert), Ct);
        using var seals = new PackageSeals(Options.Create(new ExchangeOptions { Seal = { CertificatePath = pfx, CertificatePassword = "mat-khau", TrustedCertificates = { cer } } }));
        var backups = new BackupService(source.Objects, source.Services.GetRequiredService<IAuditTrail>(), seals);

        var sealedSet = await backups.CreateAsync(Path.Combine(_sets, "sealed"), null, Admin, null, Ct);
        Assert.True(sealedSet.Sealed);
        var sound = await backups.VerifyAsync(Path.Combine(_sets, "sealed"), null, Ct);
        Assert.True(sound.Sound, string.Join("; ", sound.Problems));
        Assert.Contains("Lưu trữ Bộ Nội vụ", sound.Signer, StringComparison.Ordinal);

        // The manifest changed (a count lowered) and its digest file rewritten to match: only the seal catches it.
        var manifestPath = Path.Combine(_sets, "sealed", BackupService.ManifestFile);
        var text = await File.ReadAllTextAsync(manifestPath, Ct);
        var changed = text.Replace($"\"files\": {sealedSet.Manifest.Files}", $"\"files\": {sealedSet.Manifest.Files - 1}", StringComparison.Ordinal);
        Assert.NotEqual(text, changed);
        await File.WriteAllTextAsync(manifestPath, changed, Ct);
        var report = await backups.VerifyAsync(Path.Combine(_sets, "sealed"), null, Ct);
        Assert.Contains(report.Problems, p => p.Path == BackupService.DigestFile && p.Rule == "backup.manifest-digest");
        await File.WriteAllTextAsync(Path.Combine(_sets, "sealed", BackupService.DigestFile), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(changed))) + "  backup.json\n", Ct);
        report = await backups.VerifyAsync(Path.Combine(_sets, "sealed"), null, Ct);
        Assert.Contains(report.Problems, p => p.Path == BackupService.SealFile && p.Rule == "backup.seal-invalid");
        Assert.DoesNotContain(report.Problems, p => p.Rule == "backup.manifest-digest");

        // A seal removed while the trust list requires one.
        File.Delete(Path.Combine(_sets, "sealed", BackupService.SealFile));
        report = await backups.VerifyAsync(Path.Combine(_sets, "sealed"), null, Ct);
        Assert.Contains(report.Problems, p => p.Path == BackupService.SealFile && p.Rule == "backup.seal-missing");

        // And restore refuses it.
        await using var target = ArchiveHarness.Create();
        var restore = await new BackupService(target.Objects, null, seals).RestoreAsync(Path.Combine(_sets, "sealed"), Admin, null, Ct);
        Assert.False(restore.Restored);
        Assert.Empty((await target.Objects.ListPageAsync(string.Empty, null, Ct)).Items);
    }

    [Fact]
    public async Task Restore_refuses_a_store_that_is_not_empty_and_backup_refuses_a_used_folder_and_non_administrators()
    {
        await using var source = ArchiveHarness.Create();
        await FillAsync(source);
        var backups = source.Services.GetRequiredService<BackupService>();
        await backups.CreateAsync(Path.Combine(_sets, "full"), null, Admin, null, Ct);

        var notEmpty = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backups.RestoreAsync(Path.Combine(_sets, "full"), Admin, null, Ct));
        var error = Assert.Single(notEmpty.Errors);
        Assert.Equal(("data", "backup.target-not-empty"), (error.Field, error.Rule));
        Assert.Contains("'", error.Message, StringComparison.Ordinal);

        var used = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backups.CreateAsync(Path.Combine(_sets, "full"), null, Admin, null, Ct));
        Assert.Equal(("target", "backup.target-not-empty"), (used.Errors[0].Field, used.Errors[0].Rule));
        var elsewhere = Path.Combine(_sets, "other", "base");
        var notBeside = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backups.CreateAsync(Path.Combine(_sets, "incr"), elsewhere, Admin, null, Ct));
        Assert.Equal(("incrementalFrom", "backup.base-not-beside"), (notBeside.Errors[0].Field, notBeside.Errors[0].Rule));
        var noBase = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backups.CreateAsync(Path.Combine(_sets, "incr"), Path.Combine(_sets, "none"), Admin, null, Ct));
        Assert.Equal(("incrementalFrom", "backup.base-invalid"), (noBase.Errors[0].Field, noBase.Errors[0].Rule));
        Assert.False(Directory.Exists(Path.Combine(_sets, "incr")));

        // Never inside the archive's own data folder (the set would land in the store, or beside the index): other media.
        foreach (var inside in new[] { Path.Combine(source.DataPath, "store", "sets", "x"), Path.Combine(source.DataPath, "backups") + Path.DirectorySeparatorChar })
        {
            var inData = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backups.CreateAsync(inside, null, Admin, null, Ct));
            Assert.Equal(("target", "backup.target-in-data"), (inData.Errors[0].Field, inData.Errors[0].Rule));
            Assert.False(Directory.Exists(inside));
        }

        await backups.CreateAsync(source.DataPath + "-sets", null, Admin, null, Ct); // a sibling sharing the name prefix is elsewhere
        Directory.Delete(source.DataPath + "-sets", recursive: true);

        var archivist = ArchiveCaller.Authenticated(new ArchiveUser("Lưu trữ viên"), [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await backups.CreateAsync(Path.Combine(_sets, "denied"), null, archivist, null, Ct));
        Assert.False(Directory.Exists(Path.Combine(_sets, "denied")));
        var denied = (await source.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.AccessDenied, PageSize = 10 }, Ct)).Records;
        Assert.Contains(denied, r => r.Event.Actor == "Lưu trữ viên" && r.Event.ObjectType == "backup-set");
    }

    private string Blob(string set, string sha256) => Path.Combine(_sets, set, BackupService.BlobsFolder, sha256[..2], sha256);

    /// <summary>Agency, fonds, record files with contents and several versions, a schedule, a destroyed file with its tombstone.</summary>
    private static async Task<(string Kept, string Destroyed, string Live)> FillAsync(ArchiveHarness h)
    {
        var u = ArchiveHarness.User;
        await h.SeedAsync();
        var kept = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.TCCB") with { Title = "Hồ sơ hợp nhất Sở Kế hoạch và Sở Tài chính" }, u, Ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(kept, ArchiveHarness.DocInput("05", "UBND", "Tờ trình hợp nhất các sở"), null, u, Ct);
        await h.Files.AddContentAsync(kept, 1, new ContentUpload { FileName = "to-trinh.txt", Content = new MemoryStream(Encoding.UTF8.GetBytes("Tờ trình hợp nhất các sở, nội dung gốc.")) }, null, u, Ct);
        await h.Files.AddDocumentAsync(kept, ArchiveHarness.DocInput("06", "UBND", "Quyết định thành lập"), null, u, Ct);
        await h.Files.AddContentAsync(kept, 2, new ContentUpload { FileName = "quyet-dinh.txt", Content = new MemoryStream(Encoding.UTF8.GetBytes("Quyết định thành lập Sở Tài chính mới.")) }, null, u, Ct);

        var destroyed = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.HUY", 2010) with { Maintenance = RetentionPeriod.OfYears(5), Title = "Hồ sơ hết thời hạn lưu trữ" }, u, Ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(destroyed, ArchiveHarness.DocInput("07", "UBND", "Công văn hết giá trị", 2010), null, u, Ct);
        await h.Files.AddContentAsync(destroyed, 1, new ContentUpload { FileName = "cong-van.txt", Content = new MemoryStream(Encoding.UTF8.GetBytes("Nội dung cần hủy.")) }, null, u, Ct);
        var dispositions = h.Services.GetRequiredService<DispositionService>();
        await dispositions.ProposeAsync(new DispositionDecisionInput
        {
            Id = "QD-SAO-LUU",
            DecisionNumber = "21/QĐ-BNV",
            DecisionDate = new DateOnly(2026, 5, 4),
            LegalBasis = "Thông tư 06/2025/TT-BNV",
            CouncilMinutesReference = "Biên bản họp Hội đồng ngày 20/4/2026",
            AgencyId = ArchiveHarness.AgencyId,
            ExplanatoryNote = "Rà soát 1 hồ sơ, hủy 1",
            FileCodes = [destroyed],
        }, u, Ct);
        await dispositions.ApproveAsync("QD-SAO-LUU", Approver, Ct);
        await dispositions.ExecuteAsync("QD-SAO-LUU", Approver, Ct);

        var live = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.LIVE") with { Title = "Hồ sơ đang ghi" }, u, Ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(live, ArchiveHarness.DocInput("08", "UBND", "Văn bản đầu tiên"), null, u, Ct);
        await h.ProjectedAsync();
        return (kept, destroyed, live);
    }

    /// <summary>Every package of every collection with its versions.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<PackageVersion>>> SnapshotAsync(ArchiveStorage storage)
    {
        var all = new Dictionary<string, IReadOnlyList<PackageVersion>>(StringComparer.Ordinal);
        foreach (var (name, store) in storage.Collections)
        {
            await foreach (var id in store.ListPackagesAsync(null, Ct))
            {
                if (await store.GetInventoryAsync(id, Ct) is { } inventory)
                {
                    all[name + "/" + id] = inventory.Versions;
                }
            }
        }

        return all;
    }

    private static async Task AssertFixityAsync(ArchiveStorage storage)
    {
        var checkedPackages = 0;
        foreach (var (_, store) in storage.Collections)
        {
            await foreach (var id in store.ListPackagesAsync(null, Ct))
            {
                var fixity = await store.VerifyAsync(id, Ct);
                Assert.True(fixity.IsValid, id + ": " + string.Join("; ", fixity.Problems));
                checkedPackages++;
            }
        }

        Assert.True(checkedPackages >= 5, $"only {checkedPackages} packages");
    }

    private static string Describe(IEnumerable<PackageVersion> versions)
        => string.Join("\n", versions.Select(v => $"v{v.Number} {v.Created:O} {v.UserName} {v.Message}: " + string.Join(", ", v.Files.Select(f => $"{f.LogicalPath}={f.Sha256}/{f.Length}"))));
}
