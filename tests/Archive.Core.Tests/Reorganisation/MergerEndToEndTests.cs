using System.Security.Cryptography;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Transfer;
using Archive.Handover;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Transfer;
using Xunit;
using static Archive.Core.Tests.Transfer.TransferFixture;

namespace Archive.Core.Tests.Reorganisation;

/// <summary>
/// Issue #7's end-to-end chain: two communes merge into a new one → fonds closed → plan generated → overlap/omission
/// report → handover package exported, sealed, tampered copy rejected, clean copy accepted by the successor →
/// permanent files transferred and accessioned → researcher search finds the public ones and not the secret ones.
/// </summary>
public sealed class MergerEndToEndTests
{
    [Fact]
    public async Task Two_communes_merge_hand_over_transfer_and_researchers_find_only_public_accessioned_records()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agencies = CreateAgencies();
        await using var archives = CreateHistoricalArchives();
        await agencies.SeedQuangNamCommunesAsync();
        await archives.SeedArchivesAsync();
        using var certTamXuan = Certificate("UBND xã Tam Xuân");
        using var certNuiThanh = Certificate("UBND xã Núi Thành");
        var work = Path.Combine(agencies.DataPath, "work");
        Directory.CreateDirectory(work);

        // Records of the two communes: permanent public and secret files, a fixed-term one, a weeded document.
        var scan = RandomNumberGenerator.GetBytes(200_000);
        var founding = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ về việc thành lập thôn Phú Lộc, xã Tam Xuân", RetentionPeriod.Permanent, AccessLevel.Public, scan, "Quyết định thành lập thôn.jpg");
        await agencies.Files.AddDocumentAsync(founding, ArchiveHarness.DocInput("12", "UBND-VP", "Bản sao báo Quảng Nam đưa tin", 2015), null, ArchiveHarness.User, ct);
        await agencies.Files.MarkNonArchivalAsync(founding, 2, NonArchivalKind.Newspaper, "Báo, bản sao tham khảo", null, ArchiveHarness.User, ct);
        var secret = await agencies.FileAsync("P-TAMXUAN", "02.QS", 2016, "Hồ sơ về công tác quân sự địa phương năm 2016", RetentionPeriod.Permanent, AccessLevel.Secret, RandomNumberGenerator.GetBytes(50_000), "Kế hoạch phòng thủ.jpg", "Kế hoạch phòng thủ dân sự xã");
        var routine = await agencies.FileAsync("P-TAMXUAN", "03.VP", 2016, "Hồ sơ công văn trao đổi về công tác văn thư năm 2016", RetentionPeriod.OfYears(10), AccessLevel.Public);
        var boundaries = await agencies.FileAsync("P-TAMANH", "01.DC", 2017, "Hồ sơ về địa giới hành chính xã Tam Anh", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(80_000), "Bản đồ địa giới.jpg", "Về việc điều chỉnh địa giới hành chính");

        // 1. Two communes consolidated into a new one: both fonds closed, custody to the new commune.
        await agencies.Events().RecordAsync(Consolidation(), ArchiveHarness.User, ct);
        await agencies.Events().ApplyAsync(EventId, Effective, ArchiveHarness.User, ct);
        foreach (var code in new[] { "P-TAMXUAN", "P-TAMANH" })
        {
            var fonds = (await agencies.Fonds.GetAsync(code, ct))!.Value;
            Assert.Equal(FondsStatus.Closed, fonds.Status);
            Assert.Equal(Effective, fonds.ClosedOn);
            Assert.Equal(XaNuiThanh, fonds.CustodianAgencyId);
        }

        // 2. Plan generated; 3. the overlap/omission report is clean.
        var plan = await agencies.Plans().GenerateAsync(EventId, ArchiveHarness.User, ct);
        Assert.Contains(plan.Value.Tasks, t => t.Kind == Archive.Reorganisation.PlanTaskKind.TransferToHistoricalArchives && t.AgencyId == XaTamXuan);
        var report = await agencies.Plans().ReportAsync(EventId, Effective, ct);
        Assert.Empty(report.Overlaps);
        Assert.Empty(report.Omissions);

        // 4. Handover package exported and sealed by the merged commune.
        var handover = await agencies.Handover().ExportToFolderAsync(
            new HandoverRequest { FondsCode = "P-TAMXUAN", ReceivingAgencyId = XaNuiThanh, EventId = EventId, SealCertificate = certTamXuan },
            Path.Combine(work, "ban-giao-tam-xuan"),
            ArchiveHarness.User,
            cancellationToken: ct);
        Assert.True(handover.Sealed);
        Assert.Equal(3, handover.Catalogue.Total);
        var receipt = new HandoverReceipt { ReceivingAgencyId = XaNuiThanh, ExpectedSigner = certTamXuan };
        var fondsVersion = (await agencies.Fonds.GetAsync("P-TAMXUAN", ct))!.Version;

        // Tampered copies (a payload byte; separately a byte of the signature) are rejected, nothing changes.
        var payload = CopyFolder(handover.Path, Path.Combine(work, "tampered-payload"));
        FlipByte(Path.Combine(payload, "data", "finished", founding, "content", "001", "Quyết định thành lập thôn.jpg"));
        var rejected = await agencies.Handover().ReceiveAsync(payload, receipt, ArchiveHarness.User, ct);
        Assert.False(rejected.Accepted);
        Assert.Contains(rejected.Verification.Problems, p => p.Kind == BagProblemKind.ChecksumMismatch);
        var signature = CopyFolder(handover.Path, Path.Combine(work, "tampered-signature"));
        FlipByte(Path.Combine(signature, BagIt.SealFile));
        rejected = await agencies.Handover().ReceiveAsync(signature, receipt, ArchiveHarness.User, ct);
        Assert.False(rejected.Accepted);
        Assert.Contains(rejected.Verification.Problems, p => p.Kind == BagProblemKind.Signature);
        Assert.Equal(fondsVersion, (await agencies.Fonds.GetAsync("P-TAMXUAN", ct))!.Version);

        // The clean copy is accepted by the successor.
        var accepted = await agencies.Handover().ReceiveAsync(handover.Path, receipt, ArchiveHarness.User, ct);
        Assert.True(accepted.Accepted, string.Join("; ", accepted.Verification.Problems));
        Assert.Equal(XaNuiThanh, accepted.Fonds!.Value.CustodianAgencyId);

        // 5. Permanent files due for transfer, held by the new commune: the two permanent files of each fonds, not the
        // fixed-term one.
        var due = await agencies.Transfer().ListDueAsync(XaNuiThanh, TransferDate, cancellationToken: ct);
        Assert.Equal(new[] { boundaries, founding, secret }.Order(StringComparer.Ordinal), due.Select(d => d.FileCode).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(due, d => d.FileCode == routine);

        var progress = new List<TransferProgress>();
        var tar = Path.Combine(work, "nop-luu.tar");
        var sip = await agencies.Transfer().ExportToTarAsync(
            new TransferRequest { SubmittingAgencyId = XaNuiThanh, ArchivesAgencyId = LuuTruLichSu, AsOf = TransferDate, TransferId = "NL-2026-001", SealCertificate = certNuiThanh },
            tar,
            ArchiveHarness.User,
            new SyncProgress<TransferProgress>(progress.Add),
            ct);
        Assert.Equal(3, sip.Catalogue.Total);
        Assert.Equal("ba hồ sơ", sip.Catalogue.TotalInWords);
        Assert.Equal(1, sip.Record.SecretFiles);
        Assert.Equal(3, progress.Count);
        Assert.Equal(scan.Length + 50_000 + 80_000, progress[^1].BytesDone);

        // The Historical Archives rejects a tampered package (content byte; METS seal byte) with nothing changed.
        var before = await archives.SnapshotAsync();
        var extracted = Path.Combine(work, "sip-clean");
        await ExtractAsync(tar, extracted);
        var top = Path.Combine(extracted, "nop-luu");
        var sipReceipt = new AccessionReceipt { ArchivesAgencyId = LuuTruLichSu, ExpectedSigner = certNuiThanh, Reference = "15/BB-LTLS" };
        var tamperedContent = CopyFolder(top, Path.Combine(work, "sip-tampered-content"));
        FlipByte(Path.Combine(tamperedContent, "representations", "rep1", "data", founding, "001", "Quyết định thành lập thôn.jpg"));
        var no = await archives.Accession().AccessionAsync(tamperedContent, sipReceipt, ArchiveHarness.User, ct);
        Assert.False(no.Accepted);
        Assert.Contains(no.Verification.Problems, p => p.Kind == BagProblemKind.ChecksumMismatch && p.Path!.EndsWith("Quyết định thành lập thôn.jpg", StringComparison.Ordinal));
        var tamperedSeal = CopyFolder(top, Path.Combine(work, "sip-tampered-seal"));
        FlipByte(Path.Combine(tamperedSeal, SipLayout.MetsSeal));
        no = await archives.Accession().AccessionAsync(tamperedSeal, sipReceipt, ArchiveHarness.User, ct);
        Assert.False(no.Accepted);
        Assert.Contains(no.Verification.Problems, p => p.Kind == BagProblemKind.Signature);
        Assert.Equal(before, await archives.SnapshotAsync());

        // 6. The clean package is verified and accessioned; running it again accessions nothing twice.
        var done = await archives.Accession().AccessionAsync(tar, sipReceipt, ArchiveHarness.User, ct);
        Assert.True(done.Accepted, string.Join("; ", done.Verification.Problems));
        Assert.Equal(3, done.Accessioned.Count);
        Assert.Equal("15/BB-LTLS", done.Record!.Reference);
        Assert.True(done.Record.Verified);
        Assert.Equal("Lưu trữ lịch sử tỉnh Quảng Nam", done.Record.Receiving.Name);
        var again = await archives.Accession().AccessionAsync(tar, sipReceipt, ArchiveHarness.User, ct);
        Assert.True(again.Accepted);
        Assert.Empty(again.Accessioned);
        Assert.Equal(3, again.AlreadyAccessioned.Count);

        var copy = (await archives.Files.GetAsync(founding, ct))!.Value;
        Assert.NotNull(copy.AccessionedAt);
        Assert.Equal(AccessLevel.Public, copy.Rights);
        Assert.Single(copy.Documents); // the weeded newspaper copy was not transferred
        await using (var content = await archives.Files.OpenContentAsync(founding, 1, "Quyết định thành lập thôn.jpg", cancellationToken: ct))
        {
            using var ms = new MemoryStream();
            await content!.Content.Stream.CopyToAsync(ms, ct);
            Assert.Equal(scan, ms.ToArray());
        }

        Assert.Equal(AccessLevel.Secret, (await archives.Files.GetAsync(secret, ct))!.Value.Rights);
        var fondsThere = (await archives.Fonds.GetAsync("P-TAMXUAN", ct))!.Value;
        Assert.Equal(LuuTruLichSu, fondsThere.CustodianAgencyId);
        Assert.Equal(XaTamXuan, fondsThere.AgencyId);

        // The submitting side records the accession: the files leave the due list.
        var marked = await agencies.Transfer().ConfirmAccessionAsync(done.Record, ArchiveHarness.User, ct);
        Assert.Equal(3, marked.Count);
        Assert.Empty(await agencies.Transfer().ListDueAsync(XaNuiThanh, TransferDate, cancellationToken: ct));
        Assert.NotNull((await agencies.Files.GetAsync(secret, ct))!.Value.AccessionedAt);

        // 7. Researchers find the public accessioned records, never the secret one; the index does hold it.
        async Task<SearchResults> Researcher(string query) => await archives.Search.SearchAsync(
            ResearcherScope.Apply(new SearchRequest { Query = query, PageSize = 100, Consistency = SearchConsistency.ReadYourWrites }), ct);
        var publicHits = await Researcher("thanh lap thon Phu Loc");
        Assert.Contains(publicHits.Hits, x => x.Document.FileCode == founding);
        Assert.Contains((await Researcher("địa giới hành chính")).Hits, x => x.Document.FileCode == boundaries);
        Assert.DoesNotContain((await Researcher("quân sự địa phương")).Hits, x => x.Document.FileCode == secret);
        Assert.Empty((await Researcher("\"kế hoạch phòng thủ\"")).Hits);
        var all = await Researcher(string.Empty);
        Assert.DoesNotContain(all.Hits, x => x.Document.FileCode == secret);
        Assert.All(all.Hits, x => Assert.Equal(AccessLevel.Public, x.Document.AccessLevel));
        Assert.Contains((await archives.SearchAsync("quân sự địa phương")).Hits, x => x.Document.FileCode == secret);

        // On the agencies' side nothing was accessioned for researchers before the confirmation, and the fixed-term
        // file never is.
        var agencySide = await agencies.Search.SearchAsync(ResearcherScope.Apply(new SearchRequest { PageSize = 100, Consistency = SearchConsistency.ReadYourWrites }), ct);
        Assert.DoesNotContain(agencySide.Hits, x => x.Document.FileCode == routine || x.Document.FileCode == secret);
        Assert.DoesNotContain(agencySide.Hits, x => x.Document.Id == SearchProjection.DocumentId(founding, 2));
    }

    private static async Task ExtractAsync(string tar, string folder)
    {
        Directory.CreateDirectory(folder);
        await System.Formats.Tar.TarFile.ExtractToDirectoryAsync(tar, folder, overwriteFiles: false, TestContext.Current.CancellationToken);
    }
}
