using System.Globalization;
using Archive.Handover;
using Archive.IO;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Archive.Transfer;

namespace Archive.Exchange;

public sealed partial class PackageExchangeService
{
    private const string UploadFile = "package.tar.part";
    private const string ReceivedFile = "package.tar";

    /// <summary>Largest part of an upload in the store (a host killed during an upload loses at most one).</summary>
    private const int UploadPartBytes = 16 << 20;

    /// <summary>
    /// Opens the receipt of a package at the receiving side: <see cref="PackageJobKind.HandoverReceipt"/> (the successor
    /// agency) or <see cref="PackageJobKind.Accession"/> (the Historical Archives; caller in the historical-archives role
    /// or an administrator). Either announce the length of an upload (then send it in chunks with
    /// <see cref="UploadAsync"/>), or name a package under one of <see cref="ExchangeOptions.ImportRoots"/>, which is
    /// verified at once. The caller must belong to the receiving agency.
    /// </summary>
    public async ValueTask<PackageJob> OpenReceiptAsync(PackageJobKind kind, ReceiptRequest request, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (kind is not (PackageJobKind.HandoverReceipt or PackageJobKind.Accession))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only receipts and accessions are opened.");
        }

        if (kind == PackageJobKind.HandoverReceipt)
        {
            Require(_handover, nameof(HandoverService));
        }
        else
        {
            Require(_accession, nameof(AccessionService));
        }

        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.AgencyId))
        {
            errors.Add(new("agencyId", "required", kind == PackageJobKind.Accession ? "Name the Historical Archives' own agency id." : "Name the receiving agency."));
        }
        else if (await _agencies.GetAsync(request.AgencyId, cancellationToken).ConfigureAwait(false) is null)
        {
            errors.Add(new("agencyId", "agency.not-found", $"Agency '{request.AgencyId}' is not registered here."));
        }

        string? source = null;
        if (request.SourcePath is not null == request.Length is not null)
        {
            errors.Add(new("length", "receipt.length-or-source", "Give either the length of the package you will upload, or sourcePath (a package on a server folder), not both."));
        }
        else if (request.Length is { } length && (length < 1 || length > _options.MaxPackageBytes))
        {
            errors.Add(new("length", "receipt.length-range", string.Create(CultureInfo.InvariantCulture, $"The package length must be between 1 and {_options.MaxPackageBytes} bytes (Archive:Exchange:MaxPackageBytes).")));
        }
        else if (request.SourcePath is { } path)
        {
            source = ResolveSource(path, errors);
        }

        if (request.Sha256 is { } sha && (sha.Length != 64 || sha.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF")))
        {
            errors.Add(new("sha256", "sha256.format", "The SHA-256 must be 64 hexadecimal digits."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        await _policy.RequireAgencyAsync(caller, request.AgencyId!, ObjectTypeOf(kind), cancellationToken).ConfigureAwait(false);
        if (kind == PackageJobKind.Accession && !caller.WritesAcross && !caller.IsInRole(ArchiveRoles.HistoricalArchives))
        {
            await _policy.AuditDeniedAsync(caller, "accession", request.AgencyId, "historical-archives role", cancellationToken).ConfigureAwait(false);
            throw new ArchiveAccessDeniedException("agencyId", AccessRules.StaffOnly, "Accession is for the Historical Archives' staff (role historical-archives) or an administrator.");
        }

        var now = _time.GetUtcNow();
        var job = await SaveAsync(new PackageJob
        {
            Id = PackageJobStore.NewId(kind),
            Kind = kind,
            State = source is null ? PackageJobState.Uploading : PackageJobState.Verifying,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = caller.User.Name,
            ToAgencyId = request.AgencyId!,
            ExpectedLength = request.Length,
            ExpectedSha256 = request.Sha256?.ToLowerInvariant(),
            SourcePath = source,
            Host = source is null ? null : _hostName,
            BytesTotal = request.Length ?? 0,
        }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, Archive.Audit.AuditActions.Import, job, source is null ? $"Receipt opened: upload of {request.Length} bytes" : $"Receipt opened from {source}", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        if (source is not null)
        {
            Queue(job.Id);
        }

        return job;
    }

    /// <summary>
    /// Appends a chunk of an upload at <paramref name="offset"/>, which must be the number of bytes received so far
    /// (<see cref="PackageJob.BytesDone"/>; after an interruption, ask and continue from there). Each chunk is in the
    /// object store before the answer (as a part of its own; a chunk whose connection drops keeps the bytes that
    /// arrived), so the next chunk may go to any host. The last chunk completes the upload: its SHA-256 is checked when
    /// announced, and verification starts in the background.
    /// </summary>
    /// <exception cref="ArchiveConflictException">Not uploading (<c>upload.closed</c>), or the offset is not the bytes received (<c>upload.offset</c>).</exception>
    /// <exception cref="ArchiveValidationException">More bytes than announced (<c>upload.too-long</c>).</exception>
    public async ValueTask<PackageJob> UploadAsync(string id, long offset, Stream content, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        await RequireActorAgencyAsync(job, caller, cancellationToken).ConfigureAwait(false);
        var hold = await HoldAsync(id, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            job = (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false))!;
            if (job.State != PackageJobState.Uploading || job.ExpectedLength is not { } expected)
            {
                throw new ArchiveConflictException("upload", id, "upload.closed", $"Receipt {id} is {job.State}: it takes no more bytes.");
            }

            var (received, parts) = await ReceivedAsync(job, cancellationToken).ConfigureAwait(false);
            if (offset != received)
            {
                throw new ArchiveConflictException("upload", id, "upload.offset", string.Create(CultureInfo.InvariantCulture, $"The upload holds {received} bytes; send the bytes from offset {received}."));
            }

            // The chunk goes to the store in parts of at most UploadPartBytes, each visible once complete: what arrived
            // before a dropped connection is kept (the caller still gets the error), and a host killed midway loses
            // at most the part it was writing. A chunk beyond the announced length is refused whole.
            var chunk = new ChunkStream(content, expected - received);
            var written = new List<string>();
            try
            {
                while (await chunk.HasMoreAsync().ConfigureAwait(false))
                {
                    var key = PackageJobStore.PartKey(id, received);
                    var stored = await _store.Objects.PutAsync(key, new SliceStream(chunk, UploadPartBytes), new PutObjectOptions { CreateOnly = true, ContentType = "application/octet-stream" }, CancellationToken.None).ConfigureAwait(false);
                    written.Add(key);
                    parts.Add(stored);
                    received += stored.Length;
                }
            }
            catch (ArchiveValidationException)
            {
                foreach (var key in written)
                {
                    await _store.Objects.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
                }

                throw;
            }

            if (chunk.Dropped is { } dropped)
            {
                await _store.SaveAsync(job with { BytesDone = received, UpdatedAt = _time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(dropped);
            }

            if (received < expected)
            {
                return await SaveAsync(job with { BytesDone = received }, cancellationToken).ConfigureAwait(false);
            }

            var sha = parts is [{ Sha256: { } single }] ? single : await HashPartsAsync(parts, cancellationToken).ConfigureAwait(false);
            if (job.ExpectedSha256 is { } announced && !string.Equals(announced, sha, StringComparison.Ordinal))
            {
                await _store.DeleteFilesAsync(id, cancellationToken).ConfigureAwait(false);
                return await SaveAsync(job with
                {
                    State = PackageJobState.Rejected,
                    BytesDone = 0,
                    Problems = [new(BagProblemKind.ChecksumMismatch, ReceivedFile, $"The uploaded package's SHA-256 is {sha}; {announced} was announced. Open a new receipt and upload it again.")],
                }, cancellationToken).ConfigureAwait(false);
            }

            job = await SaveAsync(job with { State = PackageJobState.Verifying, BytesDone = received, PackageName = ReceivedFile, PackageLength = received, PackageSha256 = sha }, cancellationToken).ConfigureAwait(false);
        }

        Queue(id);
        return job;
    }

    /// <summary>
    /// The bytes of an upload in the store and its parts in order: the parts chain from offset 0, each starting where
    /// the one before ends.
    /// </summary>
    private async ValueTask<(long Received, List<ObjectInfo> Parts)> ReceivedAsync(PackageJob job, CancellationToken cancellationToken)
    {
        var parts = new List<ObjectInfo>();
        var received = 0L;
        await foreach (var part in _store.Objects.ListAsync(PackageJobStore.FilesOf(job.Id) + "upload/", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (part.Key != PackageJobStore.PartKey(job.Id, received))
            {
                break; // keys are zero-padded offsets: ordinal order is offset order; a gap ends the chain
            }

            parts.Add(part);
            received += part.Length;
        }

        return (received, parts);
    }

    private async ValueTask<string> HashPartsAsync(IReadOnlyList<ObjectInfo> parts, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            foreach (var part in parts)
            {
                var content = await _store.Objects.GetAsync(part.Key, cancellationToken: cancellationToken).ConfigureAwait(false)
                    ?? throw new ArchiveException($"The upload part '{part.Key}' disappeared from the store.");
                await using (content.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await content.Stream.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The received package as a file this host can verify: the server folder it was read from, or the upload's parts
    /// copied from the store into the job's scratch folder (streamed; checked against the SHA-256 taken at upload).
    /// </summary>
    private async ValueTask<string> MaterializeAsync(PackageJob job, CancellationToken cancellationToken)
    {
        if (job.SourcePath is { } source)
        {
            return source;
        }

        var (received, parts) = await ReceivedAsync(job, cancellationToken).ConfigureAwait(false);
        if (received != job.PackageLength)
        {
            throw new ArchiveException(string.Create(CultureInfo.InvariantCulture, $"The received package of job {job.Id} has {received} bytes in the store; {job.PackageLength} were uploaded."));
        }

        Directory.CreateDirectory(_store.Folder(job.Id));
        var path = _store.FileOf(job.Id, ReceivedFile);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                foreach (var part in parts)
                {
                    var content = await _store.Objects.GetAsync(part.Key, cancellationToken: cancellationToken).ConfigureAwait(false)
                        ?? throw new ArchiveException($"The upload part '{part.Key}' disappeared from the store.");
                    await using (content.ConfigureAwait(false))
                    {
                        int read;
                        while ((read = await content.Stream.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            hash.AppendData(buffer, 0, read);
                            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(sha, job.PackageSha256, StringComparison.Ordinal))
        {
            throw new ArchiveException($"The received package of job {job.Id} read back from the store has SHA-256 {sha}; {job.PackageSha256} was uploaded.");
        }

        return path;
    }

    /// <summary>
    /// Accepts a verified package (in the background; poll the job): a handover receipt records the custody transfer
    /// (the fonds passes to the receiving agency); an accession ingests the record files as accessioned (Public ones
    /// open in the reading room) and produces the completed transfer record and catalogue. The package is verified
    /// again as it is accepted; anything wrong then rejects it with nothing changed.
    /// </summary>
    public async ValueTask<PackageJob> AcceptAsync(string id, AcceptRequest request, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = await TransitionAsync(id, caller, PackageJobState.Verified, j => j with { State = PackageJobState.Accepting, Reference = request.Reference, Representative = request.Representative ?? caller.User.Name }, "accept", cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, Archive.Audit.AuditActions.Import, job, "Acceptance requested", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        Queue(id);
        return job;
    }

    /// <summary>Declines a received package (verified or rejected): nothing changes here; its files are removed.</summary>
    public async ValueTask<PackageJob> DeclineAsync(string id, string? reason, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "required", "Say why the package is declined (it goes into the audit trail).");
        }

        var job = await TransitionAsync(id, caller, null, j => j with { State = PackageJobState.Declined, DeclineReason = reason.Trim() }, "decline", cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, Archive.Audit.AuditActions.Import, job, "Declined: " + reason.Trim(), Archive.Audit.AuditOutcome.Failure, cancellationToken).ConfigureAwait(false);
        return job;
    }

    private async ValueTask<PackageJob> TransitionAsync(string id, ArchiveCaller caller, PackageJobState? from, Func<PackageJob, PackageJob> change, string verb, CancellationToken cancellationToken)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        if (job.Kind is not (PackageJobKind.HandoverReceipt or PackageJobKind.Accession))
        {
            throw new ArchiveConflictException("package-job", id, "receipt.not-a-receipt", $"Job {id} is a {job.Kind}; only received packages are accepted or declined.");
        }

        await RequireActorAgencyAsync(job, caller, cancellationToken).ConfigureAwait(false);
        var hold = await HoldAsync(id, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            job = (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false))!;
            var allowed = from is { } f ? job.State == f : job.State is PackageJobState.Verified or PackageJobState.Rejected;
            if (!allowed)
            {
                throw new ArchiveConflictException("package-job", id, "receipt.state", $"Receipt {id} is {job.State}; it can be {verb}ed when {(from is { } s ? s.ToString() : "Verified or Rejected")}.");
            }

            job = change(job);
            if (job.State == PackageJobState.Declined)
            {
                await _store.DeleteFilesAsync(id, cancellationToken).ConfigureAwait(false);
            }

            return await SaveAsync(job, cancellationToken).ConfigureAwait(false);
        }
    }

    private string? ResolveSource(string path, List<ValidationError> errors)
    {
        if (_options.ImportRoots.Count == 0)
        {
            errors.Add(new("sourcePath", "receipt.source-disabled", "Reading packages from server folders is off (Archive:Exchange:ImportRoots); upload the package."));
            return null;
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            errors.Add(new("sourcePath", "receipt.source-path", "Not a valid path: " + ex.Message));
            return null;
        }

        // Where the path points is checked before whether anything is there (the existence of a path outside the
        // import folders is not revealed, and a missing folder is an answer, not an exception), and so is that no symbolic
        // link below the import folder (the package's own name or any folder above it) leads elsewhere.
        var root = _options.ImportRoots.Select(r => Path.GetFullPath(r).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar)
            .Where(r => full.StartsWith(r, StringComparison.Ordinal)).MaxBy(r => r.Length);
        if (root is null)
        {
            errors.Add(new("sourcePath", "receipt.source-outside", "The package must be under one of the configured import folders (Archive:Exchange:ImportRoots)."));
            return null;
        }

        var below = root.TrimEnd(Path.DirectorySeparatorChar);
        foreach (var name in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            below = Path.Combine(below, name);
            if (new FileInfo(below).LinkTarget is not null)
            {
                errors.Add(new("sourcePath", "receipt.source-outside", "The package must be under one of the configured import folders (Archive:Exchange:ImportRoots), not reached through a symbolic link."));
                return null;
            }
        }

        if (!File.Exists(full) && !Directory.Exists(full))
        {
            errors.Add(new("sourcePath", "receipt.source-missing", $"'{full}' does not exist."));
            return null;
        }

        return full;
    }

    /// <summary>
    /// What a handover package received here is checked against: the receiving agency, this archive's trust list
    /// (<see cref="PackageSeals.Trust"/>) and the limits of <see cref="ExchangeOptions"/>. The jobs use it; so can a
    /// face that calls <see cref="HandoverService"/> directly (e.g. the offline command line).
    /// </summary>
    public HandoverReceipt CreateHandoverReceipt(string receivingAgencyId) => new()
    {
        ReceivingAgencyId = receivingAgencyId,
        Trust = _seals.Trust,
        MaxFileBytes = _options.MaxFileBytes,
        MaxTotalBytes = _options.MaxPackageBytes,
        MaxEntries = _options.MaxEntries,
    };

    /// <summary>
    /// What a submission package received here is checked against: the Historical Archives' agency, this archive's
    /// trust list and the limits of <see cref="ExchangeOptions"/>; <paramref name="reference"/> and
    /// <paramref name="representative"/> go into the completed transfer record.
    /// </summary>
    public AccessionReceipt CreateAccessionReceipt(string archivesAgencyId, string? reference = null, string? representative = null) => new()
    {
        ArchivesAgencyId = archivesAgencyId,
        Trust = _seals.Trust,
        Reference = reference,
        Representative = representative,
        MaxFileBytes = _options.MaxFileBytes,
        MaxTotalBytes = _options.MaxPackageBytes,
        MaxEntries = _options.MaxEntries,
    };

    private HandoverReceipt HandoverReceiptFor(PackageJob job) => CreateHandoverReceipt(job.ToAgencyId);

    private AccessionReceipt AccessionReceiptFor(PackageJob job) => CreateAccessionReceipt(job.ToAgencyId, job.Reference, job.Representative);

    /// <summary>Verifies a received package (run by the worker): the report lists every problem by file; nothing changes.</summary>
    private async Task RunVerifyAsync(PackageJob job, CancellationToken cancellationToken)
    {
        var source = await MaterializeAsync(job, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BagProblem> problems;
        string? signer;
        string? from = null;
        int files;
        long bytes;
        if (job.Kind == PackageJobKind.HandoverReceipt)
        {
            var report = await Require(_handover, nameof(HandoverService)).VerifyAsync(source, HandoverReceiptFor(job), cancellationToken).ConfigureAwait(false);
            (problems, signer, files, bytes) = (report.Problems, report.Signer, report.PayloadFiles, report.PayloadBytes);
            from = report.InfoValue("Archive-Handing-Agency-Id");
            job = job with { FondsCode = report.InfoValue("Archive-Fonds-Code"), FileCodes = report.FileCodes };
        }
        else
        {
            var report = await Require(_accession, nameof(AccessionService)).VerifyAsync(source, AccessionReceiptFor(job), cancellationToken).ConfigureAwait(false);
            (problems, signer, files, bytes) = (report.Problems, report.Signer, report.Files, report.Bytes);
            job = job with { TransferId = report.TransferId };
        }

        var note = _seals.VerificationNote(signer, problems);
        job = await SaveAsync(job with
        {
            State = problems.Count == 0 ? PackageJobState.Verified : PackageJobState.Rejected,
            Problems = problems,
            Signer = signer,
            Sealed = signer is not null,
            SealNote = note,
            FromAgencyId = from ?? job.FromAgencyId,
            FilesDone = files,
            FilesTotal = files,
            BytesDone = bytes,
            BytesTotal = bytes,
        }, cancellationToken).ConfigureAwait(false);
        await AuditWorkerAsync(job, problems.Count == 0 ? $"Verified: {files} files, {bytes} bytes; {note}" : $"Rejected: {problems.Count} problems: " + string.Join("; ", problems.Take(5).Select(p => $"{p.Kind} {p.Path}")), problems.Count == 0 ? Archive.Audit.AuditOutcome.Success : Archive.Audit.AuditOutcome.Failure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Accepts a verified package (run by the worker; both engines are safe to run again after a crash).</summary>
    private async Task RunAcceptAsync(PackageJob job, CancellationToken cancellationToken)
    {
        var user = new ArchiveUser(job.CreatedBy);
        var source = await MaterializeAsync(job, cancellationToken).ConfigureAwait(false);
        if (job.Kind == PackageJobKind.HandoverReceipt)
        {
            var result = await Require(_handover, nameof(HandoverService)).ReceiveAsync(source, HandoverReceiptFor(job), user, cancellationToken).ConfigureAwait(false);
            job = await SaveAsync(job with
            {
                State = result.Accepted ? PackageJobState.Accepted : PackageJobState.Rejected,
                Problems = result.Verification.Problems,
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var accession = await Require(_accession, nameof(AccessionService)).AccessionAsync(source, AccessionReceiptFor(job), user, cancellationToken).ConfigureAwait(false);
        if (!accession.Accepted || accession.Record is null || accession.Catalogue is null)
        {
            job = await SaveAsync(job with { State = PackageJobState.Rejected, Problems = accession.Verification.Problems }, cancellationToken).ConfigureAwait(false);
            await AuditWorkerAsync(job, "Accession rejected on the second verification", Archive.Audit.AuditOutcome.Failure, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The confirmation: the completed transfer record and the deposit catalogue, JSON/CSV and Office forms.
        var documents = Path.Combine(_store.Folder(job.Id), "documents");
        Directory.CreateDirectory(documents);
        var names = new List<string>();
        foreach (var (path, content, _) in TransferService.DocumentFiles(accession.Catalogue, accession.Record))
        {
            var name = Path.GetFileName(path);
            await BagIt.WriteAtomicAsync(Path.Combine(documents, name), content, cancellationToken).ConfigureAwait(false);
            names.Add(name);
        }

        if (_transfer is not null)
        {
            names.AddRange(await _transfer.WriteOfficeDocumentsAsync(accession.Catalogue, accession.Record, documents, cancellationToken).ConfigureAwait(false));
        }

        // Into the store, where every host serves them.
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var stream = File.OpenRead(Path.Combine(documents, name));
            await using (stream.ConfigureAwait(false))
            {
                await _store.Objects.PutAsync(PackageJobStore.FileKey(job.Id, DocumentsFolder + name), stream, null, cancellationToken).ConfigureAwait(false);
            }
        }

        job = await SaveAsync(job with
        {
            State = PackageJobState.Accepted,
            FileCodes = [.. accession.Accessioned.Concat(accession.AlreadyAccessioned)],
            AlreadyAccessioned = accession.AlreadyAccessioned,
            TransferRecord = accession.Record,
            FromAgencyId = accession.Record.Submitting.AgencyId,
            HighestAccessLevel = accession.Catalogue.Files.Count == 0 ? AccessLevel.Public : accession.Catalogue.Files.Max(r => r.Rights),
            Documents = [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        }, cancellationToken).ConfigureAwait(false);
        await AuditWorkerAsync(job, $"Accessioned {accession.Accessioned.Count} record files ({accession.AlreadyAccessioned.Count} already), transfer record {accession.Record.Reference}", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// One chunk of an upload as it arrives: refuses more than <paramref name="limit"/> bytes (the put then fails and
/// nothing of the chunk is kept), and ends at a dropped connection with what arrived, remembering the error.
/// </summary>
internal sealed class ChunkStream(Stream inner, long limit) : Stream
{
    private readonly byte[] _peek = new byte[1];
    private bool _peeked;
    private bool _ended;
    private long _read;

    /// <summary>Whether another byte comes (read ahead and handed out by the next read).</summary>
    public async ValueTask<bool> HasMoreAsync()
    {
        if (_peeked)
        {
            return true;
        }

        if (_ended)
        {
            return false;
        }

        var read = await ReadCoreAsync(_peek).ConfigureAwait(false);
        _peeked = read == 1;
        return _peeked;
    }

    public Exception? Dropped { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_peeked)
        {
            _peeked = false;
            buffer.Span[0] = _peek[0];
            return 1;
        }

        return await ReadCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Dropped is not null || _ended)
        {
            return 0;
        }

        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            Dropped = ex; // the connection dropped (a server's abort of the request included)
            return 0;
        }

        if (read == 0)
        {
            _ended = true;
        }

        if (_read + read > limit)
        {
            throw new ArchiveValidationException("content", "upload.too-long", string.Create(CultureInfo.InvariantCulture, $"This chunk goes beyond the length the package was announced with ({limit} more bytes were expected). Nothing of it was kept."));
        }

        _read += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>At most <paramref name="length"/> bytes of <paramref name="inner"/>, then the end.</summary>
internal sealed class SliceStream(Stream inner, long length) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_read >= length || buffer.Length == 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _read)], cancellationToken).ConfigureAwait(false);
        _read += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
