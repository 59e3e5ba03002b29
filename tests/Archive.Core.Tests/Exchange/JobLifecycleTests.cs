using System.Security.Cryptography;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Core.Tests.Transfer;
using Archive.Exchange;
using Archive.Handover;
using Archive.Records;
using Archive.Transfer;
using Xunit;
using static Archive.Core.Tests.Exchange.ExchangeFixture;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Exchange;

/// <summary>Jobs across a restart of the engine, and cancelled jobs.</summary>
public sealed class JobLifecycleTests
{
    /// <summary>
    /// A server stopped while building a handover package leaves the job Running and its bag in the staging folder:
    /// half written (the bag still marked incomplete), or complete but not yet packed into the tar. A new engine over
    /// the same data folder finishes the job.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Export_left_running_by_a_stopped_server_is_finished_by_the_next_one(bool bagComplete)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 1; i <= 3; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(40_000 * i);
            contents.Add(await h.RecordFileAsync("P-A", $"0{i}.VP", bytes, $"Tệp {i}.bin"), bytes);
        }

        // The first server: the job was queued, then its run stopped midway (no worker here: it is simulated).
        var caller = Staff(A);
        var exchange = h.Exchange();
        var job = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, ct);
        var staging = Path.Combine(exchange.WorkPath, job.Id, "staging");
        var request = new HandoverRequest { FondsCode = "P-A", ReceivingAgencyId = C, FileCodes = job.FileCodes, HandoverId = job.Id };
        if (bagComplete)
        {
            await h.Handover().ExportToFolderAsync(request, staging, new ArchiveUser(job.CreatedBy), cancellationToken: ct);
            Assert.False(File.Exists(Path.Combine(staging, BagIt.IncompleteMarker)));
        }
        else
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var seen = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await h.Handover().ExportToFolderAsync(
                request, staging, new ArchiveUser(job.CreatedBy), IncompleteExportMode.Resume, new TransferFixture.SyncProgress<HandoverProgress>(_ =>
                {
                    if (++seen == 2)
                    {
                        stop.Cancel();
                    }
                }), stop.Token));
            Assert.True(File.Exists(Path.Combine(staging, BagIt.IncompleteMarker)));
        }

        await new PackageJobStore(h.Objects, exchange.WorkPath).SaveAsync(job with { State = PackageJobState.Running }, ct);

        // The next server over the same data folder: its worker takes the job up at start.
        await h.ReopenAsync();
        await using var worker = await h.StartWorkerAsync();
        exchange = h.Exchange();
        Assert.Equal(job.Id, Assert.Single((await exchange.ListAsync(PackageJobKind.HandoverExport, caller, ct))).Id);
        var done = await exchange.WaitSettledAsync(job.Id, caller);
        Assert.True(done.State == PackageJobState.Completed, $"{done.State}: {done.Error}");
        var (path, name, length, sha) = await exchange.DownloadPackageAsync(job.Id, caller, ct);
        Assert.Equal((new FileInfo(path).Length, Sha256(path)), (length, sha));
        var entries = ReadTar(path);
        var top = Path.GetFileNameWithoutExtension(name);
        foreach (var (code, bytes) in contents)
        {
            var number = code[^4..^3];
            Assert.Equal(bytes, entries[$"{top}/data/finished/{code}/content/001/Tệp {number}.bin"]);
        }

        var verification = await h.Handover().VerifyAsync(path, new HandoverReceipt { ReceivingAgencyId = C }, ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task Upload_interrupted_midway_continues_on_a_new_engine_from_the_bytes_on_disk()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(200_000));
        var receiving = Staff(C);
        string id;
        byte[] bytes;
        int received;
        var worker = await h.StartWorkerAsync();
        try
        {
            var (export, tar) = await h.ExportHandoverAsync("P-A", C, Staff(A));
            bytes = await File.ReadAllBytesAsync(tar, ct);
            var exchange = h.Exchange();
            var opened = await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = bytes.Length, Sha256 = export.PackageSha256 }, receiving, ct);
            id = opened.Id;
            var first = bytes.Length / 4;
            await exchange.UploadAsync(id, 0, new MemoryStream(bytes[..first]), receiving, ct);

            // The second chunk's connection drops partway: what arrived is on disk.
            var arrived = bytes.Length / 3;
            await Assert.ThrowsAsync<IOException>(async () => await exchange.UploadAsync(id, first, new DroppedConnectionStream(bytes[first..], arrived), receiving, ct));
            received = first + arrived;
            Assert.Equal(received, await exchange.StoredUploadBytesAsync(id));
        }
        finally
        {
            await worker.DisposeAsync();
        }

        // A new engine over the same data folder: the receipt says how many bytes it holds; the upload goes on from there.
        await h.ReopenAsync();
        await using var next = await h.StartWorkerAsync();
        var again = h.Exchange();
        var resumed = (await again.GetAsync(id, receiving, ct));
        Assert.Equal(PackageJobState.Uploading, resumed.State);
        Assert.Equal(received, resumed.BytesDone);
        var job = await again.UploadAsync(id, resumed.BytesDone, new MemoryStream(bytes[(int)resumed.BytesDone..]), receiving, ct);
        Assert.Equal(PackageJobState.Verifying, job.State);
        Assert.Equal(Sha256(bytes), job.PackageSha256);
        job = await again.WaitSettledAsync(id, receiving);
        Assert.True(job.State == PackageJobState.Verified, string.Join("; ", job.Problems));
    }

    [Fact]
    public async Task Queued_export_and_uploading_receipt_are_cancelled_with_their_files_removed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(30_000));
        var exchange = h.Exchange();
        var caller = Staff(A);

        // No worker runs yet: the export waits in the queue.
        var queued = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, ct);
        Assert.Equal(PackageJobState.Queued, (await exchange.GetAsync(queued.Id, caller, ct)).State);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.CancelAsync(queued.Id, Staff(D), ct));
        var cancelled = await exchange.CancelAsync(queued.Id, caller, ct);
        Assert.Equal(PackageJobState.Cancelled, cancelled.State);
        Assert.Equal(PackageJobState.Cancelled, (await exchange.GetAsync(queued.Id, caller, ct)).State);
        await AssertOnlyJobRecordAsync(exchange, queued.Id);
        var twice = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.CancelAsync(queued.Id, caller, ct));
        Assert.Equal("job.not-cancellable", twice.Rule);

        // The worker, started afterwards, leaves it cancelled (it builds the next export, not this one).
        await using var worker = await h.StartWorkerAsync();
        var (_, tar) = await h.ExportHandoverAsync("P-A", C, caller);
        Assert.Equal(PackageJobState.Cancelled, (await exchange.GetAsync(queued.Id, caller, ct)).State);
        await AssertOnlyJobRecordAsync(exchange, queued.Id);
        var notReady = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.OpenPackageAsync(queued.Id, caller, ct));
        Assert.Equal("package.not-ready", notReady.Rule);

        // An upload in progress: cancelled by the receiving side, its bytes removed, no more bytes taken.
        var receiving = Staff(C);
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        var uploading = await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = bytes.Length }, receiving, ct);
        await exchange.UploadAsync(uploading.Id, 0, new MemoryStream(bytes[..(bytes.Length / 2)]), receiving, ct);
        Assert.Equal(bytes.Length / 2, await exchange.StoredUploadBytesAsync(uploading.Id));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.CancelAsync(uploading.Id, Staff(D), ct));
        cancelled = await exchange.CancelAsync(uploading.Id, receiving, ct);
        Assert.Equal(PackageJobState.Cancelled, cancelled.State);
        await AssertOnlyJobRecordAsync(exchange, uploading.Id);
        var closed = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.UploadAsync(uploading.Id, bytes.Length / 2, new MemoryStream(bytes[(bytes.Length / 2)..]), receiving, ct));
        Assert.Equal("upload.closed", closed.Rule);
        await AssertOnlyJobRecordAsync(exchange, uploading.Id);

        // A settled receipt is not cancelled.
        var verified = await h.ReceiveHandoverAsync(tar, C, receiving);
        Assert.Equal(PackageJobState.Verified, verified.State);
        var settled = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await exchange.CancelAsync(verified.Id, receiving, ct));
        Assert.Equal("job.not-cancellable", settled.Rule);
    }

    [Fact]
    public async Task Running_export_is_cancelled_with_its_files_removed_and_does_not_complete_later()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        for (var i = 1; i <= 16; i++)
        {
            await h.RecordFileAsync("P-A", $"{i:D2}.VP", RandomNumberGenerator.GetBytes(1 << 20), $"Tệp {i}.bin");
        }

        await h.RecordFileAsync("P-B", "01.VP", RandomNumberGenerator.GetBytes(1_000));
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var caller = Staff(A);
        var started = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, ct);
        PackageJob job;
        do
        {
            await Task.Delay(2, ct);
            job = (await exchange.GetAsync(started.Id, caller, ct));
        }
        while (job.State == PackageJobState.Queued || (job.State == PackageJobState.Running && job.FilesDone == 0));
        Assert.True(job.State == PackageJobState.Running, $"The export was {job.State} before it could be cancelled: {job.Error}");

        var cancelled = await exchange.CancelAsync(started.Id, caller, ct);
        Assert.Equal(PackageJobState.Cancelled, cancelled.State);

        // The worker goes on with the next job (one at a time): once that one is built, the cancelled run has ended.
        await h.ExportHandoverAsync("P-B", C, Staff(B));
        Assert.Equal(PackageJobState.Cancelled, (await exchange.GetAsync(started.Id, caller, ct)).State);
        await AssertOnlyJobRecordAsync(exchange, started.Id);
    }

    /// <summary>
    /// An export queued before a restart is built with the seal configured when it runs: what the job says about the
    /// seal is what the package has, whichever way the configuration changed.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Export_queued_before_a_restart_reports_the_seal_its_package_has(bool sealedBefore)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new ExchangeSettings();
        await using var h = CreateEngine(settings);
        using var seal = SelfSigned("UBND xã An Bình");
        var secrets = Path.Combine(h.DataPath, "secrets");
        if (sealedBefore)
        {
            settings.SealWith(seal, secrets);
        }

        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(10_000));
        var caller = Staff(A);
        var queued = await h.Exchange().StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, ct);
        Assert.Equal(sealedBefore, queued.Sealed);

        // Restarted with the seal certificate added, or taken away, before the worker built the package.
        if (sealedBefore)
        {
            settings.Unsealed();
        }
        else
        {
            settings.SealWith(seal, secrets);
        }

        await h.ReopenAsync();
        await using var worker = await h.StartWorkerAsync();
        var exchange = h.Exchange();
        var job = await exchange.WaitSettledAsync(queued.Id, caller);
        Assert.True(job.State == PackageJobState.Completed, $"{job.State}: {job.Error}");
        var (path, name, _, sha) = await exchange.DownloadPackageAsync(job.Id, caller, ct);
        Assert.Equal(!sealedBefore, (await exchange.StoredFilesAsync(job.Id)).Any(k => k.EndsWith(".p7s", StringComparison.Ordinal)));
        Assert.Equal(!sealedBefore, job.Sealed);
        Assert.Equal(exchange.Seals.SealNote, job.SealNote);
        if (job.Sealed)
        {
            var (sealPath, _) = await exchange.DownloadSealAsync(job.Id, caller, ct);
            using var publicCert = PublicPart(seal);
            var (content, _, problem) = SealTrust.Pinned(publicCert).CheckAttached(await File.ReadAllBytesAsync(sealPath, ct));
            Assert.Null(problem);
            Assert.Equal($"{sha}  {name}\n", System.Text.Encoding.UTF8.GetString(content!));
        }
        else
        {
            await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await exchange.OpenSealAsync(job.Id, caller, ct));
        }
    }

    [Fact]
    public async Task Verification_and_acceptance_left_by_a_stopped_server_are_run_by_the_next_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(20_000));
        var receiving = Staff(C);
        string tar;
        await using (await h.StartWorkerAsync())
        {
            (_, tar) = await h.ExportHandoverAsync("P-A", C, Staff(A));
        }

        // The worker is stopped: the completed upload waits in Verifying.
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        var opened = await h.Exchange().OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, Length = bytes.Length }, receiving, ct);
        Assert.Equal(PackageJobState.Verifying, (await h.Exchange().UploadAsync(opened.Id, 0, new MemoryStream(bytes), receiving, ct)).State);
        await h.ReopenAsync();
        Assert.Equal(PackageJobState.Verifying, (await h.Exchange().GetAsync(opened.Id, receiving, ct)).State);
        await using (await h.StartWorkerAsync())
        {
            var verified = await h.Exchange().WaitSettledAsync(opened.Id, receiving);
            Assert.True(verified.State == PackageJobState.Verified, string.Join("; ", verified.Problems));
        }

        // Accepted while no worker runs: the acceptance waits, and the next server carries it out.
        Assert.Equal(PackageJobState.Accepting, (await h.Exchange().AcceptAsync(opened.Id, new AcceptRequest(), receiving, ct)).State);
        await h.ReopenAsync();
        Assert.Equal(A, Archive.Security.ArchiveAccessPolicy.CustodianOf((await h.Fonds.GetAsync("P-A", ct))!.Value));
        await using (await h.StartWorkerAsync())
        {
            var accepted = await h.Exchange().WaitSettledAsync(opened.Id, receiving);
            Assert.True(accepted.State == PackageJobState.Accepted, $"{accepted.State}: {accepted.Error} {string.Join("; ", accepted.Problems)}");
        }

        Assert.Equal(C, (await h.Fonds.GetAsync("P-A", ct))!.Value.CustodianAgencyId);
    }

    [Fact]
    public async Task Transfer_export_left_running_is_rebuilt_by_the_next_server()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = CreateEngine();
        await h.SeedQuangNamCommunesAsync();
        var scan = RandomNumberGenerator.GetBytes(50_000);
        var code = await h.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ đại hội đại biểu nhân dân xã", Archive.Retention.RetentionPeriod.Permanent, AccessLevel.Public, scan, "Biên bản.jpg");
        var caller = Staff(TransferFixture.XaTamXuan);
        var exchange = h.Exchange();
        var job = await exchange.StartTransferAsync(new TransferJobRequest { SubmittingAgencyId = TransferFixture.XaTamXuan, ArchivesAgencyId = TransferFixture.LuuTruLichSu, FileCodes = [code] }, caller, ct);

        // The stopped server had begun the package: a staging folder with part of it, the job Running.
        var staging = Path.Combine(exchange.WorkPath, job.Id, "staging");
        Directory.CreateDirectory(Path.Combine(staging, "representations", "rep1", "data", code, "001"));
        await File.WriteAllBytesAsync(Path.Combine(staging, "representations", "rep1", "data", code, "001", "Biên bản.jpg"), scan[..1000], ct);
        await File.WriteAllTextAsync(Path.Combine(staging, SipLayout.IncompleteMarker), "x", ct);
        await new PackageJobStore(h.Objects, exchange.WorkPath).SaveAsync(job with { State = PackageJobState.Running }, ct);

        await h.ReopenAsync();
        await using var worker = await h.StartWorkerAsync();
        exchange = h.Exchange();
        var done = await exchange.WaitSettledAsync(job.Id, caller);
        Assert.True(done.State == PackageJobState.Completed, $"{done.State}: {done.Error}");
        var (path, name, _, _) = await exchange.DownloadPackageAsync(done.Id, caller, ct);
        var extracted = Path.Combine(h.DataPath, "extracted");
        Directory.CreateDirectory(extracted);
        await System.Formats.Tar.TarFile.ExtractToDirectoryAsync(path, extracted, overwriteFiles: false, ct);
        var top = Path.Combine(extracted, Path.GetFileNameWithoutExtension(name));
        var verification = await SipVerifier.VerifyAsync(top, cancellationToken: ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        Assert.Equal(done.TransferId, verification.TransferId);
        Assert.Equal(scan, await File.ReadAllBytesAsync(Path.Combine(top, "representations", "rep1", "data", code, "001", "Biên bản.jpg"), ct));
        Assert.False(Directory.Exists(staging));
    }
}
