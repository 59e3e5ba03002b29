using System.Security.Cryptography;
using System.Text;
using Archive.Core.Tests.Reorganisation;
using Archive.Exchange;
using Archive.Handover;
using Archive.Records;
using Archive.Retention;
using Xunit;
using static Archive.Core.Tests.Exchange.ExchangeFixture;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Exchange;

/// <summary>Handover packages built as jobs by <see cref="PackageExchangeService"/> and its worker.</summary>
public sealed class HandoverExportJobTests
{
    [Fact]
    public async Task Sealed_handover_export_completes_with_the_reported_tar_digest_documents_and_seal()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new ExchangeSettings();
        await using var h = CreateEngine(settings);
        using var seal = SelfSigned("UBND xã An Bình");
        settings.SealWith(seal, Path.Combine(h.DataPath, "secrets"));
        await h.SeedCommunesAsync();
        var scan = RandomNumberGenerator.GetBytes(180_000);
        var letter = RandomNumberGenerator.GetBytes(20_000);
        var permanent = await h.RecordFileAsync("P-A", "01.VP", scan, "Bản scan 01.jpg");
        var fixedTerm = await h.RecordFileAsync("P-A", "02.VP", letter, "Công văn.pdf", retention: RetentionPeriod.OfYears(10));
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var caller = Staff(A);

        var started = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, ct);
        Assert.Equal(PackageJobKind.HandoverExport, started.Kind);
        Assert.Equal(PackageJobState.Queued, started.State);
        Assert.Equal((A, C, "P-A"), (started.FromAgencyId, started.ToAgencyId, started.FondsCode));
        Assert.Equal(new[] { permanent, fixedTerm }.Order(StringComparer.Ordinal), started.FileCodes);
        Assert.True(started.Sealed);

        var job = await exchange.WaitSettledAsync(started.Id, caller);
        Assert.True(job.State == PackageJobState.Completed, $"{job.State}: {job.Error}");
        Assert.True(job.Sealed);
        Assert.Contains("An Bình", job.SealNote, StringComparison.Ordinal);

        // The package: the length and SHA-256 reported are those of the file.
        var (path, name, length, sha) = await exchange.DownloadPackageAsync(job.Id, caller, ct);
        Assert.Equal(job.PackageName, name);
        Assert.EndsWith(".tar", name, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
        Assert.Equal(new FileInfo(path).Length, length);
        Assert.Equal(job.PackageLength, length);
        Assert.Equal(Sha256(path), sha);
        Assert.Equal(job.PackageSha256, sha);
        Assert.False(File.Exists(path + ".partial"));
        Assert.False(Directory.Exists(Path.Combine(exchange.WorkPath, job.Id, "staging")));

        // Inside the tar: the payload as stored, and every document byte-identical to the one offered on its own.
        var entries = ReadTar(path);
        var top = Path.GetFileNameWithoutExtension(name);
        Assert.Equal(scan, entries[$"{top}/data/finished/{permanent}/content/001/Bản scan 01.jpg"]);
        Assert.Equal(letter, entries[$"{top}/data/finished/{fixedTerm}/content/001/Công văn.pdf"]);
        var inTar = entries.Keys.Where(k => k.StartsWith(top + "/data/catalogue/", StringComparison.Ordinal)).Select(k => k[(top.Length + "/data/catalogue/".Length)..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(inTar, job.Documents.Order(StringComparer.Ordinal));
        Assert.Contains("muc-luc-ho-so.json", job.Documents);
        Assert.Contains("bien-ban-giao-nhan.docx", job.Documents);
        foreach (var document in job.Documents)
        {
            var own = await exchange.DownloadDocumentAsync(job.Id, document, caller, ct);
            Assert.Equal(entries[$"{top}/data/catalogue/{document}"], await File.ReadAllBytesAsync(own, ct));
        }

        // The seal: an attached CMS over "<sha256>  <name>\n" by the configured certificate.
        var (sealPath, sealName) = await exchange.DownloadSealAsync(job.Id, caller, ct);
        Assert.Equal(name + ".p7s", sealName);
        using var publicCert = PublicPart(seal);
        var (content, signer, problem) = SealTrust.Pinned(publicCert).CheckAttached(await File.ReadAllBytesAsync(sealPath, ct));
        Assert.Null(problem);
        Assert.Equal($"{sha}  {name}\n", Encoding.UTF8.GetString(content!));
        Assert.Contains("An Bình", signer, StringComparison.Ordinal);
        using var other = SelfSigned("UBND xã An Bình");
        Assert.NotNull(SealTrust.Pinned(other).CheckAttached(await File.ReadAllBytesAsync(sealPath, ct)).Problem);

        // The bag inside is sound and sealed by the same certificate.
        var verification = await h.Handover().VerifyAsync(path, new HandoverReceipt { ReceivingAgencyId = C, ExpectedSigner = publicCert }, ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Without_a_seal_certificate_the_package_is_unsealed_and_says_so()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-B", "01.VP", RandomNumberGenerator.GetBytes(5_000));
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var caller = Staff(B);

        var started = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-B", ReceivingAgencyId = C }, caller, ct);
        Assert.False(started.Sealed);
        var job = await exchange.WaitSettledAsync(started.Id, caller);
        Assert.True(job.State == PackageJobState.Completed, $"{job.State}: {job.Error}");
        Assert.False(job.Sealed);
        Assert.StartsWith("Unsealed", job.SealNote, StringComparison.Ordinal);
        var (path, name, _, _) = await exchange.DownloadPackageAsync(job.Id, caller, ct);
        Assert.DoesNotContain(await exchange.StoredFilesAsync(job.Id), k => k.EndsWith(".p7s", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.OpenSealAsync(job.Id, caller, ct));
        Assert.DoesNotContain(ReadTar(path).Keys, k => k.EndsWith(BagIt.SealFile, StringComparison.Ordinal));
        Assert.StartsWith("ban-giao-P-B-", name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_requests_are_refused_before_anything_is_queued_or_written()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        var inB = await h.RecordFileAsync("P-B", "01.VP", RandomNumberGenerator.GetBytes(1_000));
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var caller = Staff(A);

        async Task<ValidationError> Invalid(HandoverJobRequest request)
        {
            var refused = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await exchange.StartHandoverAsync(request, caller, ct));
            return Assert.Single(refused.Errors);
        }

        Assert.Equal(("fondsCode", "required"), Fields(await Invalid(new HandoverJobRequest { ReceivingAgencyId = C })));
        Assert.Equal(("fondsCode", "fonds.not-found"), Fields(await Invalid(new HandoverJobRequest { FondsCode = "P-KHONG-CO", ReceivingAgencyId = C })));
        Assert.Equal(("receivingAgencyId", "agency.not-found"), Fields(await Invalid(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = "000.99.31.H26" })));
        Assert.Equal(("receivingAgencyId", "required"), Fields(await Invalid(new HandoverJobRequest { FondsCode = "P-A" })));
        Assert.Equal(("fileCodes[0]", "handover.file-outside-fonds"), Fields(await Invalid(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C, FileCodes = [inB] })));
        Assert.Equal(("eventId", "reorganisation.not-found"), Fields(await Invalid(new HandoverJobRequest { FondsCode = "P-A", EventId = "2025-NQ-9999" })));

        // A fonds of another agency: refused on the agency, whatever the rest of the request says.
        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-B", ReceivingAgencyId = C }, caller, ct));
        Assert.Equal("fondsCode", denied.Field);
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, Staff(D), ct));

        Assert.True(!Directory.Exists(exchange.WorkPath) || !Directory.EnumerateFileSystemEntries(exchange.WorkPath).Any(), "a refused request left files in the exchange folder");
        Assert.Empty((await exchange.ListAsync(PackageJobKind.HandoverExport, Administrator(), ct)));
    }

    [Fact]
    public async Task Jobs_of_other_agencies_are_hidden_and_a_secret_package_needs_clearance()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(4_000));
        var secret = await h.RecordFileAsync("P-A", "02.QS", RandomNumberGenerator.GetBytes(4_000), "Kế hoạch phòng thủ.jpg", AccessLevel.Secret);
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var cleared = Staff(A);
        var started = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, cleared, ct);
        Assert.Equal(AccessLevel.Secret, started.HighestAccessLevel);
        Assert.Contains(secret, started.FileCodes);
        var job = await exchange.WaitSettledAsync(started.Id, cleared);
        Assert.Equal(PackageJobState.Completed, job.State);

        // Another agency: as if the job did not exist, for every call.
        var stranger = Staff(D);
        var notFound = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.GetAsync(job.Id, stranger, ct));
        var unknown = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.GetAsync("h-" + Guid.NewGuid().ToString("N"), stranger, ct));
        Assert.Equal(unknown.Entity, notFound.Entity);
        Assert.Empty((await exchange.ListAsync(PackageJobKind.HandoverExport, stranger, ct)));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.OpenPackageAsync(job.Id, stranger, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.OpenDocumentAsync(job.Id, job.Documents[0], stranger, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.CancelAsync(job.Id, stranger, ct));

        // Both parties see it; the receiving agency too.
        Assert.Equal([job.Id], (await exchange.ListAsync(PackageJobKind.HandoverExport, cleared, ct)).Select(j => j.Id));
        Assert.Equal([job.Id], (await exchange.ListAsync(PackageJobKind.HandoverExport, Staff(C), ct)).Select(j => j.Id));
        Assert.Empty((await exchange.ListAsync(PackageJobKind.TransferExport, cleared, ct)));

        // The whole package holds a secret file: only for a cleared caller.
        var uncleared = Staff(A, secretClearance: false, name: "Trần Thị Bình");
        Assert.Equal(job.Id, (await exchange.GetAsync(job.Id, uncleared, ct)).Id);
        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.OpenPackageAsync(job.Id, uncleared, ct));
        Assert.Equal("clearance.package", denied.Rule);
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.OpenDocumentAsync(job.Id, "muc-luc-ho-so.csv", uncleared, ct));
        var (path, _, length, sha) = await exchange.DownloadPackageAsync(job.Id, cleared, ct);
        Assert.Equal(new FileInfo(path).Length, length);
        Assert.Equal(Sha256(path), sha);
        Assert.Contains(ReadTar(path).Keys, k => k.EndsWith($"/data/finished/{secret}/content/001/Kế hoạch phòng thủ.jpg", StringComparison.Ordinal));
    }

    private static (string Field, string Rule) Fields(ValidationError error) => (error.Field, error.Rule);

}
