using System.Security.Cryptography;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Exchange;
using Archive.Handover;
using Archive.Security;
using Xunit;
using static Archive.Core.Tests.Exchange.ExchangeFixture;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Exchange;

/// <summary>Handover packages received by the successor through <see cref="PackageExchangeService"/>: upload, verification, acceptance.</summary>
public sealed class HandoverReceiptJobTests
{
    [Fact]
    public async Task Package_uploaded_in_chunks_is_verified_then_accepted_and_custody_moves()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(150_000));
        await h.RecordFileAsync("P-A", "02.VP", RandomNumberGenerator.GetBytes(60_000), "Tờ trình.pdf");
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var handing = Staff(A);
        var receiving = Staff(C, name: "Lê Văn Cường");
        var (export, tar) = await h.ExportHandoverAsync("P-A", C, handing);
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        int a = bytes.Length / 3, b = 2 * bytes.Length / 3;

        var opened = await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = bytes.Length, Sha256 = export.PackageSha256!.ToUpperInvariant() }, receiving, ct);
        Assert.Equal(PackageJobState.Uploading, opened.State);
        Assert.Equal((0L, (long)bytes.Length), (opened.BytesDone, opened.BytesTotal));
        var id = opened.Id;

        var job = await exchange.UploadAsync(id, 0, new MemoryStream(bytes[..a]), receiving, ct);
        Assert.Equal((PackageJobState.Uploading, (long)a), (job.State, job.BytesDone));

        // A chunk at the wrong offset (a gap, or chunk 1 again) is refused and appends nothing.
        foreach (var wrong in new[] { a + 1, 0 })
        {
            var conflict = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.UploadAsync(id, wrong, new MemoryStream(bytes[wrong..b]), receiving, ct));
            Assert.Equal("upload.offset", conflict.Rule);
            Assert.Contains($"offset {a}", conflict.Message, StringComparison.Ordinal);
            Assert.Equal(a, await exchange.StoredUploadBytesAsync(id));
            Assert.Equal(a, (await exchange.GetAsync(id, receiving, ct)).BytesDone);
        }

        job = await exchange.UploadAsync(id, a, new MemoryStream(bytes[a..b]), receiving, ct);
        Assert.Equal((PackageJobState.Uploading, (long)b), (job.State, job.BytesDone));

        // A chunk that goes beyond the announced length is refused whole: none of its bytes are kept.
        var tooLong = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await exchange.UploadAsync(id, b, new MemoryStream([.. bytes[b..], 0x2A]), receiving, ct));
        Assert.Equal("upload.too-long", Assert.Single(tooLong.Errors).Rule);
        Assert.Equal(b, await exchange.StoredUploadBytesAsync(id));
        Assert.Equal((PackageJobState.Uploading, (long)b), ((await exchange.GetAsync(id, receiving, ct)).State, (await exchange.GetAsync(id, receiving, ct)).BytesDone));

        // The last chunk, read like a network body, completes the upload: the announced SHA-256 matches, verification starts.
        job = await exchange.UploadAsync(id, b, new ForwardOnlyStream(new MemoryStream(bytes[b..])), receiving, ct);
        Assert.Equal(PackageJobState.Verifying, job.State);
        Assert.Equal((bytes.Length, export.PackageSha256), (job.PackageLength, job.PackageSha256));
        Assert.Equal(bytes.Length, await exchange.StoredUploadBytesAsync(id)); // the package, in the store
        var closed = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.UploadAsync(id, bytes.Length, new MemoryStream([1]), receiving, ct));
        Assert.Equal("upload.closed", closed.Rule);

        job = await exchange.WaitSettledAsync(id, receiving);
        Assert.True(job.State == PackageJobState.Verified, string.Join("; ", job.Problems));
        Assert.Empty(job.Problems);
        Assert.Equal((A, C, "P-A"), (job.FromAgencyId, job.ToAgencyId, job.FondsCode));
        Assert.False(job.Sealed);
        Assert.StartsWith("Unsealed", job.SealNote, StringComparison.Ordinal);
        Assert.True(job.FilesTotal > 2);
        Assert.Equal(A, ArchiveAccessPolicy.CustodianOf((await h.Fonds.GetAsync("P-A", ct))!.Value));

        // Acceptance is the receiving agency's: the handing agency sees the receipt but may not accept it.
        Assert.Equal(id, (await exchange.GetAsync(id, handing, ct)).Id);
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.AcceptAsync(id, new AcceptRequest(), handing, ct));
        var accepting = await exchange.AcceptAsync(id, new AcceptRequest(), receiving, ct);
        Assert.Equal(PackageJobState.Accepting, accepting.State);
        job = await exchange.WaitSettledAsync(id, receiving);
        Assert.True(job.State == PackageJobState.Accepted, $"{job.State}: {job.Error} {string.Join("; ", job.Problems)}");
        Assert.Equal(C, (await h.Fonds.GetAsync("P-A", ct))!.Value.CustodianAgencyId);
        var again = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.AcceptAsync(id, new AcceptRequest(), receiving, ct));
        Assert.Equal("receipt.state", again.Rule);
    }

    [Fact]
    public async Task Upload_whose_SHA256_is_not_the_announced_one_is_rejected_and_dropped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(30_000));
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var receiving = Staff(C);
        var (_, tar) = await h.ExportHandoverAsync("P-A", C, Staff(A));
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        var announced = Sha256(FlipMiddleByte(bytes));

        var opened = await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = bytes.Length, Sha256 = announced }, receiving, ct);
        var job = await exchange.UploadAsync(opened.Id, 0, new MemoryStream(bytes), receiving, ct);
        Assert.Equal(PackageJobState.Rejected, job.State);
        var problem = Assert.Single(job.Problems);
        Assert.Equal(BagProblemKind.ChecksumMismatch, problem.Kind);
        Assert.Contains(Sha256(bytes), problem.Detail, StringComparison.Ordinal);
        Assert.Contains(announced, problem.Detail, StringComparison.Ordinal);
        Assert.Equal(PackageJobState.Rejected, (await exchange.GetAsync(opened.Id, receiving, ct)).State);
        await AssertOnlyJobRecordAsync(exchange, opened.Id);
        var refused = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.AcceptAsync(opened.Id, new AcceptRequest(), receiving, ct));
        Assert.Equal("receipt.state", refused.Rule);
        Assert.Equal(A, ArchiveAccessPolicy.CustodianOf((await h.Fonds.GetAsync("P-A", ct))!.Value));
    }

    [Fact]
    public async Task Tampered_package_is_rejected_naming_the_file_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        var scan = await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(90_000), "Bản scan 01.jpg");
        await h.RecordFileAsync("P-A", "02.VP", RandomNumberGenerator.GetBytes(10_000), "Tờ trình.pdf");
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var receiving = Staff(C);
        var (export, tar) = await h.ExportHandoverAsync("P-A", C, Staff(A));
        var payload = $"data/finished/{scan}/content/001/Bản scan 01.jpg";
        var tampered = Path.Combine(h.DataPath, "tampered.tar");
        RewriteTar(tar, tampered, Path.GetFileNameWithoutExtension(export.PackageName) + "/" + payload, FlipMiddleByte);
        var fondsBefore = (await h.Fonds.GetAsync("P-A", ct))!;

        var job = await h.ReceiveHandoverAsync(tampered, C, receiving);
        Assert.Equal(PackageJobState.Rejected, job.State);
        var problem = Assert.Single(job.Problems);
        Assert.Equal((BagProblemKind.ChecksumMismatch, payload), (problem.Kind, problem.Path));
        var fondsAfter = (await h.Fonds.GetAsync("P-A", ct))!;
        Assert.Equal(fondsBefore.Version, fondsAfter.Version);
        Assert.Equal(A, ArchiveAccessPolicy.CustodianOf(fondsAfter.Value));

        var refused = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.AcceptAsync(job.Id, new AcceptRequest(), receiving, ct));
        Assert.Equal("receipt.state", refused.Rule);
        Assert.Equal(PackageJobState.Rejected, (await exchange.GetAsync(job.Id, receiving, ct)).State);

        // Declining it records why and removes the package.
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await exchange.DeclineAsync(job.Id, " ", receiving, ct));
        var declined = await exchange.DeclineAsync(job.Id, "Gói bị sửa đổi, đề nghị gửi lại", receiving, ct);
        Assert.Equal((PackageJobState.Declined, "Gói bị sửa đổi, đề nghị gửi lại"), (declined.State, declined.DeclineReason));
        await AssertOnlyJobRecordAsync(exchange, job.Id);
        Assert.Equal(fondsBefore.Version, (await h.Fonds.GetAsync("P-A", ct))!.Version);
    }

    [Fact]
    public async Task Receiving_side_with_a_trust_list_accepts_only_seals_it_trusts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = Authority("Cơ quan chứng thực chữ ký số chuyên dùng");
        using var issued = IssuedBy(authority, "UBND xã An Bình");
        using var forger = SelfSigned("UBND xã An Bình");
        var senderSettings = new ExchangeSettings();
        var receiverSettings = new ExchangeSettings();
        await using var sender = CreateEngine(senderSettings);
        await using var receiver = CreateEngine(receiverSettings);
        senderSettings.SealWith(issued, Path.Combine(sender.DataPath, "secrets"));
        receiverSettings.TrustedCertificates.Add(WritePem(PublicPart(authority), Path.Combine(receiver.DataPath, "trust")));
        await sender.SeedCommunesAsync();
        await receiver.SeedCommunesAsync();
        await sender.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(20_000));
        await using var receiverWorker = await receiver.StartWorkerAsync();
        var senderWorker = await sender.StartWorkerAsync();
        try
        {
            async Task<PackageJob> ExportAndReceiveAsync()
            {
                var (_, tar) = await sender.ExportHandoverAsync("P-A", C, Staff(A));
                return await receiver.ReceiveHandoverAsync(tar, C, Staff(C));
            }

            async Task RestartSenderAsync(Action reconfigure)
            {
                await senderWorker.DisposeAsync();
                reconfigure();
                await sender.ReopenAsync();
                senderWorker = await sender.StartWorkerAsync();
            }

            // Sealed with a certificate the trusted authority issued: verified, the signer reported.
            var trusted = await ExportAndReceiveAsync();
            Assert.True(trusted.State == PackageJobState.Verified, string.Join("; ", trusted.Problems));
            Assert.True(trusted.Sealed);
            Assert.Equal(issued.Subject, trusted.Signer);
            Assert.Contains("on the trust list", trusted.SealNote, StringComparison.Ordinal);

            // Sealed by a self-signed certificate with the same name: not on the trust list.
            await RestartSenderAsync(() => senderSettings.SealWith(forger, Path.Combine(sender.DataPath, "secrets")));
            var forged = await ExportAndReceiveAsync();
            Assert.Equal(PackageJobState.Rejected, forged.State);
            var problem = Assert.Single(forged.Problems);
            Assert.Equal((BagProblemKind.Signature, BagIt.SealFile), (problem.Kind, problem.Path));
            Assert.Contains("not on the trust list", problem.Detail, StringComparison.Ordinal);
            Assert.False(forged.Sealed);
            Assert.Null(forged.Signer);

            // Unsealed: refused where a trust list is configured.
            await RestartSenderAsync(senderSettings.Unsealed);
            var unsealed = await ExportAndReceiveAsync();
            Assert.Equal(PackageJobState.Rejected, unsealed.State);
            problem = Assert.Single(unsealed.Problems);
            Assert.Equal(BagProblemKind.Signature, problem.Kind);
            Assert.Contains("not sealed", problem.Detail, StringComparison.Ordinal);
            Assert.False(unsealed.Sealed);
            Assert.Null((await receiver.Fonds.GetAsync("P-A", ct))!.Value.CustodianAgencyId);
        }
        finally
        {
            await senderWorker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Wrong_receipts_are_refused_before_a_job_is_opened()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        var exchange = h.Exchange();
        var receiving = Staff(C);

        async Task<IReadOnlyList<string>> Rules(PackageJobKind kind, ReceiptRequest request, ArchiveCaller? caller = null)
            => [.. (await Assert.ThrowsAsync<ArchiveValidationException>(async () => await exchange.OpenReceiptAsync(kind, request, caller ?? receiving, ct))).Errors.Select(e => e.Field + ":" + e.Rule)];

        Assert.Equal(["agencyId:required"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { Length = 10 }));
        Assert.Equal(["agencyId:agency.not-found"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = "000.99.31.H26", Length = 10 }));
        Assert.Equal(["length:receipt.length-or-source"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C }));
        Assert.Equal(["length:receipt.length-or-source"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = 10, SourcePath = h.DataPath }));
        Assert.Equal(["length:receipt.length-range"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = 0 }));
        Assert.Equal(["sourcePath:receipt.source-disabled"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, SourcePath = h.DataPath }));
        Assert.Equal(["sha256:sha256.format"], await Rules(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = 10, Sha256 = "abc" }));

        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = 10 }, Staff(D), ct));
        Assert.Equal("agencyId", denied.Field);

        // Accessions are for the Historical Archives' staff.
        var notArchives = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await exchange.OpenReceiptAsync(PackageJobKind.Accession, new ReceiptRequest { AgencyId = C, Length = 10 }, receiving, ct));
        Assert.Equal(AccessRules.StaffOnly, notArchives.Rule);

        Assert.True(!Directory.Exists(exchange.WorkPath) || !Directory.EnumerateFileSystemEntries(exchange.WorkPath).Any(), "a refused receipt left files in the exchange folder");
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.UploadAsync("r-" + Guid.NewGuid().ToString("N"), 0, new MemoryStream([1]), receiving, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.UploadAsync("../../etc", 0, new MemoryStream([1]), receiving, ct));
    }
}
