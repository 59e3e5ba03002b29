using System.Security.Cryptography;
using System.Text.Json;
using Archive.Core.Tests.Transfer;
using Archive.Exchange;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using Archive.Transfer;
using Xunit;
using static Archive.Core.Tests.Exchange.ExchangeFixture;
using static Archive.Core.Tests.Transfer.TransferFixture;

namespace Archive.Core.Tests.Exchange;

/// <summary>
/// A transfer (nộp lưu) between two engines with their own data folders: the agencies' archive builds the submission
/// package as a job, the Historical Archives accessions it from a storage device as a job, and the completed transfer
/// record is recorded back on the agencies' side.
/// </summary>
public sealed class TransferAccessionJobTests
{
    [Fact]
    public async Task Transfer_is_accessioned_from_a_storage_device_and_its_record_confirmed_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var archivesSettings = new ExchangeSettings();
        await using var agencies = CreateEngine();
        await using var archives = CreateEngine(archivesSettings);
        var device = Path.Combine(archives.DataPath, "thiet-bi-luu-tru");
        Directory.CreateDirectory(device);
        archivesSettings.ImportRoots.Add(device);
        await agencies.SeedQuangNamCommunesAsync();
        await archives.SeedArchivesAsync();
        var scan = RandomNumberGenerator.GetBytes(90_000);
        var open = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ hội nghị tổng kết năm 2015", RetentionPeriod.Permanent, AccessLevel.Public, scan, "Báo cáo tổng kết.jpg");
        var secret = await agencies.FileAsync("P-TAMXUAN", "02.QS", 2016, "Hồ sơ công tác quân sự năm 2016", RetentionPeriod.Permanent, AccessLevel.Secret, RandomNumberGenerator.GetBytes(6_000), "Kế hoạch.jpg");
        var fixedTerm = await agencies.FileAsync("P-TAMXUAN", "03.VP", 2016, "Hồ sơ công văn đi năm 2016", RetentionPeriod.OfYears(10), AccessLevel.Public);
        await using var agenciesWorker = await agencies.StartWorkerAsync();
        await using var archivesWorker = await archives.StartWorkerAsync();
        var submitter = Staff(XaTamXuan);
        var archivist = Staff(LuuTruLichSu, name: "Phạm Thị Dung", roles: ArchiveRoles.HistoricalArchives);

        // The agencies' side: the due list of permanent files, packaged in the background.
        var started = await agencies.Exchange().StartTransferAsync(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, AsOf = TransferDate, LegalBasis = "Kế hoạch thu nộp năm 2026" }, submitter, ct);
        Assert.Equal((PackageJobKind.TransferExport, PackageJobState.Queued), (started.Kind, started.State));
        Assert.Equal([open, secret], started.FileCodes);
        Assert.Equal(AccessLevel.Secret, started.HighestAccessLevel);
        Assert.StartsWith("NL-" + XaTamXuan + "-", started.TransferId, StringComparison.Ordinal);
        var transfer = await agencies.Exchange().WaitSettledAsync(started.Id, submitter);
        Assert.True(transfer.State == PackageJobState.Completed, $"{transfer.State}: {transfer.Error}");
        Assert.Contains("bien-ban-thu-nop.json", transfer.Documents);
        var (tar, name, length, sha) = await agencies.Exchange().DownloadPackageAsync(transfer.Id, submitter, ct);
        Assert.Equal((new FileInfo(tar).Length, Sha256(tar)), (length, sha));

        // The Historical Archives reads it from a storage device mounted under its import folder, nowhere else.
        var onDevice = Path.Combine(device, name);
        File.Copy(tar, onDevice);
        async Task<string> Refused(string sourcePath)
        {
            var refused = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await archives.Exchange().OpenReceiptAsync(
                PackageJobKind.Accession, new ReceiptRequest { AgencyId = LuuTruLichSu, SourcePath = sourcePath }, archivist, ct));
            var error = Assert.Single(refused.Errors);
            return error.Field + ":" + error.Rule;
        }

        Assert.Equal("sourcePath:receipt.source-outside", await Refused(tar));
        Assert.Equal("sourcePath:receipt.source-outside", await Refused(Path.Combine(device, "..", "..", Path.GetFileName(archives.DataPath), "thiet-bi-luu-tru-khac", name)));
        var link = Path.Combine(device, "loi-tat.tar");
        File.CreateSymbolicLink(link, tar);
        Assert.Equal("sourcePath:receipt.source-outside", await Refused(link));
        var linkedFolder = Path.Combine(device, "o-dia-khac");
        Directory.CreateSymbolicLink(linkedFolder, Path.GetDirectoryName(tar)!);
        Assert.Equal("sourcePath:receipt.source-outside", await Refused(Path.Combine(linkedFolder, name)));
        Assert.Equal("sourcePath:receipt.source-missing", await Refused(Path.Combine(device, "khong-co.tar")));
        Assert.Equal("sourcePath:receipt.source-missing", await Refused(Path.Combine(device, "khong-co", "goi.tar")));
        Assert.Empty((await archives.Exchange().ListAsync(PackageJobKind.Accession, archivist, ct)));

        var opened = await archives.Exchange().OpenReceiptAsync(PackageJobKind.Accession, new ReceiptRequest { AgencyId = LuuTruLichSu, SourcePath = onDevice }, archivist, ct);
        Assert.Equal((PackageJobState.Verifying, onDevice), (opened.State, opened.SourcePath));
        var verified = await archives.Exchange().WaitSettledAsync(opened.Id, archivist);
        Assert.True(verified.State == PackageJobState.Verified, string.Join("; ", verified.Problems));
        Assert.Equal(transfer.TransferId, verified.TransferId);
        Assert.Null(await archives.Files.GetAsync(open, ct)); // verifying ingests nothing

        var accepting = await archives.Exchange().AcceptAsync(opened.Id, new AcceptRequest { Reference = "15/BB-LTLS" }, archivist, ct);
        Assert.Equal(PackageJobState.Accepting, accepting.State);
        var accession = await archives.Exchange().WaitSettledAsync(opened.Id, archivist);
        Assert.True(accession.State == PackageJobState.Accepted, $"{accession.State}: {accession.Error} {string.Join("; ", accession.Problems)}");
        Assert.Equal([open, secret], accession.FileCodes.Order(StringComparer.Ordinal));
        Assert.Empty(accession.AlreadyAccessioned);
        Assert.Equal(XaTamXuan, accession.FromAgencyId);
        foreach (var code in accession.FileCodes)
        {
            var there = (await archives.Files.GetAsync(code, ct))!.Value;
            Assert.NotNull(there.AccessionedAt);
        }

        Assert.Equal(AccessLevel.Secret, (await archives.Files.GetAsync(secret, ct))!.Value.Rights);
        await using (var content = await archives.Files.OpenContentAsync(open, 1, "Báo cáo tổng kết.jpg", cancellationToken: ct))
        {
            using var ms = new MemoryStream();
            await content!.Content.Stream.CopyToAsync(ms, ct);
            Assert.Equal(scan, ms.ToArray());
        }

        // The confirmation: the completed transfer record, also as a document of the job.
        var record = accession.TransferRecord!;
        Assert.Equal((transfer.TransferId, "15/BB-LTLS", true), (record.TransferId, record.Reference, record.Verified));
        Assert.Equal("Phạm Thị Dung", record.Receiving.Representative);
        Assert.NotNull(record.AccessionedAt);
        Assert.Contains("bien-ban-thu-nop.json", accession.Documents);
        var recordDocument = await archives.Exchange().DownloadDocumentAsync(opened.Id, "bien-ban-thu-nop.json", archivist, ct);
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(recordDocument, ct)))
        {
            Assert.Equal("15/BB-LTLS", json.RootElement.GetProperty("reference").GetString());
            Assert.Equal(transfer.TransferId, json.RootElement.GetProperty("transferId").GetString());
        }

        // Back at the agencies: a record of another transfer, or of other files, is refused and marks nothing.
        var otherTransfer = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await agencies.Exchange().ConfirmTransferAsync(transfer.Id, record with { TransferId = "NL-000.22.49.H49-20261125000000-abcdef" }, submitter, ct));
        Assert.Equal(("transferId", "transfer.record-mismatch"), (Assert.Single(otherTransfer.Errors).Field, otherTransfer.Errors[0].Rule));
        var otherFiles = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await agencies.Exchange().ConfirmTransferAsync(transfer.Id, record with { FileCodes = [open] }, submitter, ct));
        Assert.Equal(("fileCodes", "transfer.record-mismatch"), (Assert.Single(otherFiles.Errors).Field, otherFiles.Errors[0].Rule));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await agencies.Exchange().ConfirmTransferAsync(transfer.Id, record, Staff(XaTamAnh), ct));
        Assert.Null((await agencies.Files.GetAsync(open, ct))!.Value.AccessionedAt);

        var confirmed = await agencies.Exchange().ConfirmTransferAsync(transfer.Id, record, submitter, ct);
        Assert.Equal([open, secret], confirmed.Confirmed.Order(StringComparer.Ordinal));
        Assert.Equal("15/BB-LTLS", confirmed.TransferRecord!.Reference);
        foreach (var code in new[] { open, secret })
        {
            var here = (await agencies.Files.GetAsync(code, ct))!.Value;
            Assert.Equal(record.AccessionedAt, here.AccessionedAt);
        }

        Assert.Null((await agencies.Files.GetAsync(fixedTerm, ct))!.Value.AccessionedAt);
        Assert.Empty(await agencies.Transfer().ListDueAsync(XaTamXuan, TransferDate, cancellationToken: ct));

        // Safe to repeat.
        var again = await agencies.Exchange().ConfirmTransferAsync(transfer.Id, record, submitter, ct);
        Assert.Equal([open, secret], again.Confirmed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Accession_with_a_trust_list_takes_only_packages_sealed_under_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = Authority("Cơ quan chứng thực chữ ký số chuyên dùng");
        using var issued = IssuedBy(authority, "UBND xã Tam Xuân");
        using var forger = SelfSigned("UBND xã Tam Xuân");
        var agenciesSettings = new ExchangeSettings();
        var archivesSettings = new ExchangeSettings();
        await using var agencies = CreateEngine(agenciesSettings);
        await using var archives = CreateEngine(archivesSettings);
        agenciesSettings.SealWith(issued, Path.Combine(agencies.DataPath, "secrets"));
        archivesSettings.TrustedCertificates.Add(WritePem(PublicPart(authority), Path.Combine(archives.DataPath, "trust")));
        await agencies.SeedQuangNamCommunesAsync();
        await archives.SeedArchivesAsync();
        var code = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ đại hội đại biểu nhân dân xã", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(40_000), "Biên bản đại hội.jpg");
        var submitter = Staff(XaTamXuan);
        var archivist = Staff(LuuTruLichSu, roles: ArchiveRoles.HistoricalArchives);
        await using var archivesWorker = await archives.StartWorkerAsync();

        async Task<PackageJob> TransferAndVerifyAsync()
        {
            string tar;
            await using (await agencies.StartWorkerAsync())
            {
                var started = await agencies.Exchange().StartTransferAsync(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, FileCodes = [code] }, submitter, ct);
                var built = await agencies.Exchange().WaitSettledAsync(started.Id, submitter);
                Assert.True(built.State == PackageJobState.Completed, $"{built.State}: {built.Error}");
                (tar, _, _, _) = await agencies.Exchange().DownloadPackageAsync(built.Id, submitter, ct);
            }

            // Uploaded in two chunks.
            var bytes = await File.ReadAllBytesAsync(tar, ct);
            var opened = await archives.Exchange().OpenReceiptAsync(PackageJobKind.Accession, new ReceiptRequest { AgencyId = LuuTruLichSu, Length = bytes.Length, Sha256 = Sha256(bytes) }, archivist, ct);
            await archives.Exchange().UploadAsync(opened.Id, 0, new MemoryStream(bytes[..(bytes.Length / 2)]), archivist, ct);
            await archives.Exchange().UploadAsync(opened.Id, bytes.Length / 2, new MemoryStream(bytes[(bytes.Length / 2)..]), archivist, ct);
            return await archives.Exchange().WaitSettledAsync(opened.Id, archivist);
        }

        // Sealed under the trusted authority: verified with its signer, then accessioned.
        var trusted = await TransferAndVerifyAsync();
        Assert.True(trusted.State == PackageJobState.Verified, string.Join("; ", trusted.Problems));
        Assert.Equal(issued.Subject, trusted.Signer);
        Assert.True(trusted.Sealed);

        // Sealed by a look-alike certificate: rejected on the seal, nothing accessioned.
        agenciesSettings.SealWith(forger, Path.Combine(agencies.DataPath, "secrets"));
        await agencies.ReopenAsync();
        var forged = await TransferAndVerifyAsync();
        Assert.Equal(PackageJobState.Rejected, forged.State);
        Assert.Contains(forged.Problems, p => p.Kind == Archive.Handover.BagProblemKind.Signature && p.Detail.Contains("not on the trust list", StringComparison.Ordinal));
        Assert.Null(forged.Signer);
        Assert.Null(await archives.Files.GetAsync(code, ct));

        var accepted = await archives.Exchange().AcceptAsync(trusted.Id, new AcceptRequest(), archivist, ct);
        accepted = await archives.Exchange().WaitSettledAsync(accepted.Id, archivist);
        Assert.True(accepted.State == PackageJobState.Accepted, $"{accepted.State}: {accepted.Error} {string.Join("; ", accepted.Problems)}");
        Assert.Equal([code], accepted.FileCodes);
        Assert.Equal("BBTN-" + trusted.TransferId, accepted.TransferRecord!.Reference);
        Assert.NotNull((await archives.Files.GetAsync(code, ct))!.Value.AccessionedAt);
    }

    [Fact]
    public async Task Wrong_transfer_requests_are_refused_before_anything_is_queued()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agencies = CreateEngine();
        await agencies.SeedQuangNamCommunesAsync();
        var permanent = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ đại hội đại biểu nhân dân xã", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(1_000));
        var fixedTerm = await agencies.FileAsync("P-TAMXUAN", "02.VP", 2016, "Hồ sơ công văn đi năm 2016", RetentionPeriod.OfYears(10), AccessLevel.Public);
        var exchange = agencies.Exchange();
        var submitter = Staff(XaTamXuan);

        async Task<IReadOnlyList<string>> Rules(TransferJobRequest request)
            => [.. (await Assert.ThrowsAsync<ArchiveValidationException>(async () => await exchange.StartTransferAsync(request, submitter, ct))).Errors.Select(e => e.Field + ":" + e.Rule)];

        Assert.Equal(["submittingAgencyId:required", "archivesAgencyId:required"], await Rules(new TransferJobRequest()));
        Assert.Equal(["fileCodes[1]:transfer.not-permanent"], await Rules(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, FileCodes = [permanent, fixedTerm] }));
        Assert.Equal(["fileCodes[0]:record-file.not-found"], await Rules(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, FileCodes = [XaTamXuan + ".2015.99.XX"] }));
        var nothingDue = await Rules(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, AsOf = new DateOnly(2016, 1, 1) });
        Assert.Single(nothingDue);
        Assert.Contains("nothing", nothingDue[0], StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.StartTransferAsync(new TransferJobRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, FileCodes = [permanent] }, Staff(XaTamAnh), ct));
        Assert.Equal("agencyId", denied.Field);

        Assert.True(!Directory.Exists(exchange.WorkPath) || !Directory.EnumerateFileSystemEntries(exchange.WorkPath).Any(), "a refused request left files in the exchange folder");
        Assert.Empty((await exchange.ListAsync(PackageJobKind.TransferExport, Administrator(), ct)));
    }
}
