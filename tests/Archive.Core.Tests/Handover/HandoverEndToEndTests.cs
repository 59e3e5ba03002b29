using System.Formats.Tar;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Handover;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Retention;
using Xunit;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Handover;

public sealed class HandoverEndToEndTests
{
    [Fact]
    public async Task Merge_close_plan_export_seal_tamper_reject_and_accept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        using var certA = Certificate("UBND xã An Bình");
        using var certB = Certificate("UBND xã Bình Minh");

        // Records of commune A: a permanent finished file with content, an unfinished fixed-term one, a weeded one.
        var content = RandomNumberGenerator.GetBytes(300_000);
        var f1 = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", 2024, "P-A") with { Maintenance = RetentionPeriod.Permanent, Title = "Hồ sơ hợp nhất xã" }, ArchiveHarness.User, ct)).Stored;
        var d1 = await h.Files.AddDocumentAsync(f1.Value.FileCode, ArchiveHarness.DocInput(), f1.Version, ArchiveHarness.User, ct);
        await h.Files.AddContentAsync(f1.Value.FileCode, 1, new ContentUpload { FileName = "Bản scan 01.jpg", Content = new MemoryStream(content) }, d1.Stored.Version, ArchiveHarness.User, ct);
        await h.Files.CreateAsync(ArchiveHarness.FileInput("02.DC", 2025, "P-A") with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến của Sở Nội vụ" }, ArchiveHarness.User, ct);
        var weeded = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.TK", 2023, "P-A"), ArchiveHarness.User, ct)).Stored;
        await h.Files.MarkNonArchivalAsync(weeded.Value.FileCode, null, NonArchivalKind.Newspaper, "Báo tham khảo", null, ArchiveHarness.User, ct);

        // Communes A and B consolidated into C; plan generated and reported.
        await h.RecordAndApplyAsync(Consolidation());
        Assert.Equal(FondsStatus.Closed, (await h.Fonds.GetAsync("P-A", ct))!.Value.Status);
        await h.Plans().GenerateAsync("2025-NQ-1656", ArchiveHarness.User, ct);
        var report = await h.Plans().ReportAsync("2025-NQ-1656", Effective, ct);
        Assert.Empty(report.Overlaps);
        Assert.Empty(report.Omissions);

        // Export, sealed by A.
        var root = Path.Combine(h.DataPath, "out");
        var progress = new List<HandoverProgress>();
        var export = await h.Handover().ExportToFolderAsync(
            new HandoverRequest { FondsCode = "P-A", ReceivingAgencyId = C, EventId = "2025-NQ-1656", SealCertificate = certA },
            Path.Combine(root, "bag"),
            ArchiveHarness.User,
            progress: new SyncProgress(progress.Add),
            cancellationToken: ct);
        var bag = export.Path;
        Assert.True(export.Sealed);
        Assert.Equal(2, export.Catalogue.Total);
        Assert.Equal((1, 1), (export.Catalogue.Permanent, export.Catalogue.FixedTerm));
        Assert.Single(export.Catalogue.Unfinished);
        Assert.Equal("Chờ ý kiến của Sở Nội vụ", export.Catalogue.Unfinished[0].Notes);
        Assert.NotEmpty(progress);
        Assert.False(File.Exists(Path.Combine(bag, BagIt.IncompleteMarker)));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(bag, "data", "finished", f1.Value.FileCode, "content", "001", "Bản scan 01.jpg"), ct));
        Assert.True(File.Exists(Path.Combine(bag, "data", "unfinished", "000.01.31.H26.2025.02.DC", "metadata", "recordfile.json")));
        Assert.False(Directory.Exists(Path.Combine(bag, "data", "finished", weeded.Value.FileCode)));
        var csv = await File.ReadAllTextAsync(Path.Combine(bag, "data", "catalogue", "muc-luc-ho-so.csv"), ct);
        Assert.Contains("Hồ sơ hợp nhất xã", csv, StringComparison.Ordinal);
        Assert.Contains("vĩnh viễn: 1; có thời hạn: 1", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("03.TK", csv, StringComparison.Ordinal);
        var info = await File.ReadAllTextAsync(Path.Combine(bag, BagIt.InfoFile), ct);
        Assert.Contains("Source-Organization: Ủy ban nhân dân xã An Bình", info, StringComparison.Ordinal);
        Assert.Contains($"Payload-Oxum: {export.PayloadBytes}.{export.PayloadFiles}", info, StringComparison.Ordinal);

        var ok = await BagIt.VerifyAsync(bag, certA, cancellationToken: ct);
        Assert.True(ok.IsValid, string.Join("; ", ok.Problems));
        Assert.Contains("An Bình", ok.Signer, StringComparison.Ordinal);

        // Tampered copies are rejected with a report, and nothing changes.
        var receipt = new HandoverReceipt { ReceivingAgencyId = C, ExpectedSigner = certA };
        var fondsBefore = (await h.Fonds.GetAsync("P-A", ct))!.Version;
        async Task Rejected(string name, Func<string, Task> tamper, BagProblemKind kind, HandoverReceipt? r = null)
        {
            var copy = Path.Combine(root, name);
            CopyFolder(bag, copy);
            await tamper(copy);
            var result = await h.Handover().ReceiveAsync(copy, r ?? receipt, ArchiveHarness.User, ct);
            Assert.False(result.Accepted, name);
            Assert.Contains(result.Verification.Problems, p => p.Kind == kind);
            Assert.Equal(fondsBefore, (await h.Fonds.GetAsync("P-A", ct))!.Version);
        }

        var scan = Path.Combine("data", "finished", f1.Value.FileCode, "content", "001", "Bản scan 01.jpg");
        await Rejected("flip", Sync(c => FlipByte(Path.Combine(c, scan))), BagProblemKind.ChecksumMismatch);
        await Rejected("extra", Sync(c => File.WriteAllText(Path.Combine(c, "data", "extra.txt"), "x")), BagProblemKind.ExtraFile);
        await Rejected("missing", Sync(c => File.Delete(Path.Combine(c, scan))), BagProblemKind.MissingFile);
        await Rejected("wrong-signer", Sync(_ => { }), BagProblemKind.Signature, receipt with { ExpectedSigner = certB });
        await Rejected("resealed", async c => await BagIt.SealAsync(c, certB, ct), BagProblemKind.Signature);
        await Rejected("unsealed", Sync(c => File.Delete(Path.Combine(c, BagIt.SealFile))), BagProblemKind.Signature);
        // The payload changed and both manifests re-hashed to match it, under the old seal: every checksum agrees,
        // only the seal's cryptographic check can see it (and must name the seal).
        await Rejected("rehashed-under-old-seal", Sync(c => RehashUnderOldSeal(c, scan)), BagProblemKind.Signature);
        await Rejected("info-edited", Sync(c => File.AppendAllText(Path.Combine(c, BagIt.InfoFile), "Note: x\n")), BagProblemKind.ChecksumMismatch);
        await Rejected("wrong-receiver", Sync(_ => { }), BagProblemKind.Mismatch, receipt with { ReceivingAgencyId = D });

        // The clean copy is accepted by the successor.
        var accepted = await h.Handover().ReceiveAsync(bag, receipt, ArchiveHarness.User, ct);
        Assert.True(accepted.Accepted, string.Join("; ", accepted.Verification.Problems));
        Assert.Equal(C, accepted.Fonds!.Value.CustodianAgencyId);
    }

    [Fact]
    public async Task Tar_export_moves_custody_on_receipt_and_hostile_tars_are_rejected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        using var certC = Certificate("UBND xã An Minh");
        var f = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", 2024, "P-C"), ArchiveHarness.User, ct)).Stored;
        var d = await h.Files.AddDocumentAsync(f.Value.FileCode, ArchiveHarness.DocInput(), f.Version, ArchiveHarness.User, ct);
        await h.Files.AddContentAsync(f.Value.FileCode, 1, new ContentUpload { FileName = "a.bin", Content = new MemoryStream(RandomNumberGenerator.GetBytes(50_000)) }, d.Stored.Version, ArchiveHarness.User, ct);

        var dir = Path.Combine(h.DataPath, "tars");
        Directory.CreateDirectory(dir);
        var tar = Path.Combine(dir, "P-C.tar");
        var export = await h.Handover().ExportToTarAsync(new HandoverRequest { FondsCode = "P-C", ReceivingAgencyId = D, SealCertificate = certC }, tar, ArchiveHarness.User, cancellationToken: ct);
        Assert.Equal(tar, export.Path);
        Assert.False(File.Exists(tar + ".partial"));
        Assert.False(Directory.Exists(tar + ".staging"));

        var receipt = new HandoverReceipt { ReceivingAgencyId = D, ExpectedSigner = certC };
        async Task Hostile(string name, Action<TarWriter> extra, BagProblemKind kind, HandoverReceipt? r = null)
        {
            var path = Path.Combine(dir, name + ".tar");
            using (var output = File.Create(path))
            using (var writer = new TarWriter(output, TarEntryFormat.Pax))
            {
                using var input = File.OpenRead(tar);
                using var reader = new TarReader(input);
                while (reader.GetNextEntry() is { } e)
                {
                    writer.WriteEntry(e);
                }

                extra(writer);
            }

            var result = await h.Handover().ReceiveAsync(path, r ?? receipt, ArchiveHarness.User, ct);
            Assert.False(result.Accepted, name);
            Assert.Contains(result.Verification.Problems, p => p.Kind == kind);
            Assert.Equal(C, (await h.Fonds.GetAsync("P-C", ct))!.Value.CustodianAgencyId ?? C);
        }

        static PaxTarEntry File1(string name, string text) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };
        await Hostile("traversal", w => w.WriteEntry(File1("P-C/../../evil.txt", "x")), BagProblemKind.UnsafePath);
        Assert.False(File.Exists(Path.Combine(h.DataPath, "evil.txt")));
        Assert.False(File.Exists(Path.Combine(h.DataPath, "tmp", "evil.txt")));
        await Hostile("absolute", w => w.WriteEntry(File1("/tmp/evil.txt", "x")), BagProblemKind.UnsafePath);
        await Hostile("backslash", w => w.WriteEntry(File1("P-C\\..\\evil.txt", "x")), BagProblemKind.UnsafePath);
        await Hostile("symlink", w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "P-C/data/link") { LinkName = "/etc/passwd" }), BagProblemKind.LinkOrSpecialFile);
        await Hostile("hardlink", w => w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "P-C/data/hard") { LinkName = "P-C/bagit.txt" }), BagProblemKind.LinkOrSpecialFile);
        await Hostile("not-in-manifest", w => w.WriteEntry(File1("P-C/data/smuggled.txt", "x")), BagProblemKind.ExtraFile);
        await Hostile("oversized", _ => { }, BagProblemKind.TooLarge, receipt with { MaxFileBytes = 10_000 });

        // Truncated: half of the archive.
        var truncated = Path.Combine(dir, "truncated.tar");
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)], ct);
        var cut = await h.Handover().ReceiveAsync(truncated, receipt, ArchiveHarness.User, ct);
        Assert.False(cut.Accepted);
        Assert.Contains(cut.Verification.Problems, p => p.Kind is BagProblemKind.Corrupt or BagProblemKind.MissingFile or BagProblemKind.MissingTagFile);

        // Staging folders are cleaned up; the clean tar is accepted and custody moves to D.
        Assert.Empty(Directory.Exists(Path.Combine(h.DataPath, "tmp")) ? Directory.GetDirectories(Path.Combine(h.DataPath, "tmp"), "handover-*") : Array.Empty<string>());
        var accepted = await h.Handover().ReceiveAsync(tar, receipt, ArchiveHarness.User, ct);
        Assert.True(accepted.Accepted, string.Join("; ", accepted.Verification.Problems));
        Assert.Equal(D, (await h.Fonds.GetAsync("P-C", ct))!.Value.CustodianAgencyId);
    }

    [Fact]
    public async Task Tar_export_streams_from_the_store_without_a_staging_bag_and_a_damaged_stored_file_fails_it_leaving_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        using var certC = Certificate("UBND xã An Minh");
        var contents = new List<byte[]>();
        for (var i = 1; i <= 2; i++)
        {
            var f = (await h.Files.CreateAsync(ArchiveHarness.FileInput($"0{i}.VP", 2024, "P-C"), ArchiveHarness.User, ct)).Stored;
            var d = await h.Files.AddDocumentAsync(f.Value.FileCode, ArchiveHarness.DocInput(), f.Version, ArchiveHarness.User, ct);
            contents.Add(RandomNumberGenerator.GetBytes(200_000 + i));
            await h.Files.AddContentAsync(f.Value.FileCode, 1, new ContentUpload { FileName = $"Bản scan {i}.bin", Content = new MemoryStream(contents[^1]) }, d.Stored.Version, ArchiveHarness.User, ct);
        }

        var dir = Path.Combine(h.DataPath, "tars");
        Directory.CreateDirectory(dir);
        var tar = Path.Combine(dir, "P-C.tar");
        var request = new HandoverRequest { FondsCode = "P-C", ReceivingAgencyId = D, SealCertificate = certC };

        // While the payload is written, nothing but the .partial tar exists: no staging bag, no copy of the payload.
        var payloadReports = 0;
        var export = await h.Handover().ExportToTarAsync(request, tar, ArchiveHarness.User, progress: new SyncProgress(p =>
        {
            if (p.CurrentPath?.Contains("/content/", StringComparison.Ordinal) == true)
            {
                payloadReports++;
                Assert.False(Directory.Exists(tar + ".staging"), "the payload went through a staging folder");
                Assert.True(File.Exists(tar + ".partial"));
            }
        }), cancellationToken: ct);
        Assert.Equal(2, payloadReports);
        Assert.Equal(0, export.ReusedFiles);
        Assert.True(export.Sealed);
        Assert.False(File.Exists(tar + ".partial"));
        Assert.False(Directory.Exists(tar + ".staging"));

        // A valid, sealed BagIt bag under one top folder, the stored bytes in it.
        var verified = await h.Handover().VerifyAsync(tar, new HandoverReceipt { ReceivingAgencyId = D, ExpectedSigner = certC }, ct);
        Assert.True(verified.IsValid, string.Join("; ", verified.Problems));
        Assert.Equal(export.PayloadFiles, verified.PayloadFiles);
        Assert.Equal(export.PayloadBytes, verified.PayloadBytes);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(File.OpenRead(tar)))
        {
            while (reader.GetNextEntry() is { } e)
            {
                Assert.StartsWith("P-C/", e.Name, StringComparison.Ordinal);
                using var copy = new MemoryStream();
                e.DataStream?.CopyTo(copy);
                entries[e.Name] = copy.ToArray();
            }
        }

        Assert.Contains(entries, e => e.Key.EndsWith("Bản scan 1.bin", StringComparison.Ordinal) && e.Value.AsSpan().SequenceEqual(contents[0]));
        Assert.Contains(entries, e => e.Key.EndsWith("Bản scan 2.bin", StringComparison.Ordinal) && e.Value.AsSpan().SequenceEqual(contents[1]));
        Assert.Contains("P-C/" + BagIt.SealFile, entries.Keys);
        File.Delete(tar);

        // Bit rot in the second stored file: the export fails naming it, and leaves neither tar nor .partial nor staging.
        var stored = Directory.EnumerateFiles(Path.Combine(h.DataPath, "store"), "*", SearchOption.AllDirectories)
            .Single(p => new FileInfo(p).Length == contents[1].Length && File.ReadAllBytes(p).AsSpan().SequenceEqual(contents[1]));
        FlipByte(stored);
        var failed = await Assert.ThrowsAnyAsync<ArchiveException>(async () => await h.Handover().ExportToTarAsync(request, tar, ArchiveHarness.User, cancellationToken: ct));
        Assert.Contains("Fixity failure", failed.Message, StringComparison.Ordinal);
        Assert.Contains("Bản scan 2.bin", failed.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(tar));
        Assert.False(File.Exists(tar + ".partial"));
        Assert.False(Directory.Exists(tar + ".staging"));

        // Truncated in the store: fails the same way.
        FlipByte(stored);
        await File.WriteAllBytesAsync(stored, contents[1][..1000], ct);
        var cut = await Assert.ThrowsAnyAsync<ArchiveException>(async () => await h.Handover().ExportToTarAsync(request, tar, ArchiveHarness.User, cancellationToken: ct));
        Assert.Contains("Fixity failure", cut.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(tar) || File.Exists(tar + ".partial"));

        // What a crash leaves (.partial) is refused by default and discarded on request.
        await File.WriteAllBytesAsync(stored, contents[1], ct);
        await File.WriteAllTextAsync(tar + ".partial", "half a tar", ct);
        var refused = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Handover().ExportToTarAsync(request, tar, ArchiveHarness.User, cancellationToken: ct));
        Assert.Equal("handover.incomplete-target", refused.Rule);
        await h.Handover().ExportToTarAsync(request, tar, ArchiveHarness.User, IncompleteExportMode.Discard, cancellationToken: ct);
        Assert.True((await h.Handover().VerifyAsync(tar, new HandoverReceipt { ReceivingAgencyId = D, ExpectedSigner = certC }, ct)).IsValid);
    }

    [Fact]
    public async Task Interrupted_export_is_marked_then_resumed_or_discarded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        for (var i = 1; i <= 3; i++)
        {
            var f = (await h.Files.CreateAsync(ArchiveHarness.FileInput($"0{i}.VP", 2024, "P-B"), ArchiveHarness.User, ct)).Stored;
            var d = await h.Files.AddDocumentAsync(f.Value.FileCode, ArchiveHarness.DocInput(), f.Version, ArchiveHarness.User, ct);
            await h.Files.AddContentAsync(f.Value.FileCode, 1, new ContentUpload { FileName = "a.bin", Content = new MemoryStream(RandomNumberGenerator.GetBytes(20_000)) }, d.Stored.Version, ArchiveHarness.User, ct);
        }

        var folder = Path.Combine(h.DataPath, "bag-b");
        var request = new HandoverRequest { FondsCode = "P-B", ReceivingAgencyId = C };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await h.Handover().ExportToFolderAsync(
            request, folder, ArchiveHarness.User, progress: new SyncProgress(_ => { if (++seen == 2) { cts.Cancel(); } }), cancellationToken: cts.Token));
        Assert.True(File.Exists(Path.Combine(folder, BagIt.IncompleteMarker)));
        var verification = await BagIt.VerifyAsync(folder, cancellationToken: ct);
        Assert.Contains(verification.Problems, p => p.Kind == BagProblemKind.Incomplete);

        var refused = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Handover().ExportToFolderAsync(request, folder, ArchiveHarness.User, cancellationToken: ct));
        Assert.Equal("handover.incomplete-target", refused.Rule);

        var resumed = await h.Handover().ExportToFolderAsync(request, folder, ArchiveHarness.User, IncompleteExportMode.Resume, cancellationToken: ct);
        Assert.True(resumed.ReusedFiles >= 2);
        Assert.True((await BagIt.VerifyAsync(folder, cancellationToken: ct)).IsValid);

        var again = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Handover().ExportToFolderAsync(request, folder, ArchiveHarness.User, IncompleteExportMode.Discard, cancellationToken: ct));
        Assert.Equal("handover.target-exists", again.Rule);
    }

    private static X509Certificate2 Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static Func<string, Task> Sync(Action<string> action) => c =>
    {
        action(c);
        return Task.CompletedTask;
    };

    /// <summary>Changes one byte of <paramref name="payloadPath"/> and rewrites the payload and tag manifests to the new digests, leaving the seal as it was.</summary>
    private static void RehashUnderOldSeal(string bag, string payloadPath)
    {
        var file = Path.Combine(bag, payloadPath);
        var before = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        FlipByte(file);
        var after = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        var manifest = Path.Combine(bag, "manifest-sha256.txt");
        var manifestBefore = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(manifest)));
        ReplaceOnce(manifest, before, after);
        var manifestAfter = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(manifest)));
        ReplaceOnce(Path.Combine(bag, "tagmanifest-sha256.txt"), manifestBefore, manifestAfter);
    }

    private static void ReplaceOnce(string path, string oldValue, string newValue)
    {
        var text = File.ReadAllText(path);
        var index = text.IndexOf(oldValue, StringComparison.OrdinalIgnoreCase);
        Assert.True(index >= 0, $"{oldValue} not in {path}");
        File.WriteAllText(path, string.Concat(text.AsSpan(0, index), newValue, text.AsSpan(index + oldValue.Length)));
    }

    private static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private sealed class SyncProgress(Action<HandoverProgress> report) : IProgress<HandoverProgress>
    {
        public void Report(HandoverProgress value) => report(value);
    }
}
