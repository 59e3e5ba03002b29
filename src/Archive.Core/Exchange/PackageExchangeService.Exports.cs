using System.Globalization;
using System.Text;
using Archive.Handover;
using Archive.IO;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Archive.Transfer;

namespace Archive.Exchange;

public sealed partial class PackageExchangeService
{
    /// <summary>
    /// Starts building a handover package (a sealed BagIt bag in a tar: the fonds' finished and unfinished record files,
    /// weeded material left out, the catalogue, the list of unfinished files and the handover record). The request is
    /// checked completely first (nothing is queued when a field is wrong). The caller must belong to the handing agency
    /// (the fonds' creator or custodian) or be an administrator.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A field is missing or names something unknown (every broken rule listed).</exception>
    public async ValueTask<PackageJob> StartHandoverAsync(HandoverJobRequest request, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        var handover = Require(_handover, nameof(HandoverService));
        if (string.IsNullOrWhiteSpace(request.FondsCode))
        {
            throw new ArchiveValidationException("fondsCode", "required", "Name the fonds to hand over.");
        }

        if (request.FileCodes is { Count: 0 })
        {
            throw new ArchiveValidationException("fileCodes", "handover.empty-selection", "The selection is empty: list the record files to hand over, or omit fileCodes for the whole fonds.");
        }

        var fonds = await _fonds.GetAsync(request.FondsCode, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveValidationException("fondsCode", "fonds.not-found", $"Fonds '{request.FondsCode}' does not exist.");
        if (!caller.Agencies.Contains(fonds.Value.AgencyId))
        {
            await _policy.RequireFondsChangeAsync(caller, fonds.Value.Code, "handover", fonds.Value.Code, cancellationToken).ConfigureAwait(false);
        }

        var receiving = request.ReceivingAgencyId;
        if (request.EventId is { } eventId)
        {
            if (_events is null)
            {
                throw new ArchiveValidationException("eventId", "reorganisation.not-registered", "Reorganisation events are not enabled in this host.");
            }

            var successor = await _events.SuccessorOfAsync(eventId, fonds.Value, cancellationToken).ConfigureAwait(false);
            receiving ??= successor;
        }

        if (string.IsNullOrWhiteSpace(receiving))
        {
            throw new ArchiveValidationException("receivingAgencyId", "required", "Name the receiving agency, or a reorganisation event that names the successor.");
        }

        var scope = await handover.ResolveScopeAsync(new HandoverRequest { FondsCode = fonds.Value.Code, ReceivingAgencyId = receiving, FileCodes = request.FileCodes, EventId = request.EventId }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var job = await SaveAsync(new PackageJob
        {
            Id = PackageJobStore.NewId(PackageJobKind.HandoverExport),
            Kind = PackageJobKind.HandoverExport,
            State = PackageJobState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = caller.User.Name,
            FromAgencyId = scope.FromAgencyId,
            ToAgencyId = scope.ToAgencyId,
            FondsCode = scope.FondsCode,
            EventId = request.EventId,
            FileCodes = scope.FileCodes,
            ExplicitSelection = request.FileCodes is not null,
            HighestAccessLevel = scope.HighestAccessLevel,
            DocumentDetails = request.Documents,
            FilesTotal = scope.FileCodes.Count,
            Sealed = _seals.SigningCertificate is not null,
            SealNote = _seals.SealNote,
        }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, Archive.Audit.AuditActions.Export, job, $"Handover of fonds {job.FondsCode} to {job.ToAgencyId} started: {job.FileCodes.Count} record files", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        Queue(job.Id);
        return job;
    }

    /// <summary>
    /// Starts building a submission package (E-ARK SIP in a tar, METS sealed) of permanent record files for the
    /// Historical Archives: the explicit selection, or the due list. Checked completely first. The caller must belong
    /// to the submitting agency or be an administrator.
    /// </summary>
    public async ValueTask<PackageJob> StartTransferAsync(TransferJobRequest request, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        var transfer = Require(_transfer, nameof(TransferService));
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.SubmittingAgencyId))
        {
            errors.Add(new("submittingAgencyId", "required", "Name the submitting agency."));
        }

        if (string.IsNullOrWhiteSpace(request.ArchivesAgencyId))
        {
            errors.Add(new("archivesAgencyId", "required", "Name the Historical Archives (its agency id)."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        if (request.FileCodes is { Count: 0 })
        {
            throw new ArchiveValidationException("fileCodes", "transfer.empty-selection", "The selection is empty: list the permanent record files to transfer, or omit fileCodes for the due list.");
        }

        await _policy.RequireAgencyAsync(caller, request.SubmittingAgencyId!, "transfer", cancellationToken).ConfigureAwait(false);
        var asOf = request.AsOf ?? DateOnly.FromDateTime(_time.GetUtcNow().ToOffset(SipLayout.VietnamOffset).DateTime);
        var scope = await transfer.ResolveScopeAsync(new TransferRequest
        {
            SubmittingAgencyId = request.SubmittingAgencyId!,
            ArchivesAgencyId = request.ArchivesAgencyId!,
            FileCodes = request.FileCodes,
            FondsCode = request.FondsCode,
            AsOf = asOf,
        }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var id = PackageJobStore.NewId(PackageJobKind.TransferExport);
        var job = await SaveAsync(new PackageJob
        {
            Id = id,
            Kind = PackageJobKind.TransferExport,
            State = PackageJobState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = caller.User.Name,
            FromAgencyId = scope.FromAgencyId,
            ToAgencyId = scope.ToAgencyId,
            FondsCode = scope.FondsCode,
            FileCodes = scope.FileCodes,
            ExplicitSelection = true,
            HighestAccessLevel = scope.HighestAccessLevel,
            AsOf = asOf,
            LegalBasis = request.LegalBasis,
            ArchivesName = request.ArchivesName,
            TransferId = string.Create(CultureInfo.InvariantCulture, $"NL-{scope.FromAgencyId}-{now.ToOffset(SipLayout.VietnamOffset):yyyyMMddHHmmss}-{id[2..8]}"),
            FilesTotal = scope.FileCodes.Count,
            Sealed = _seals.SigningCertificate is not null,
            SealNote = _seals.SealNote,
        }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, Archive.Audit.AuditActions.Export, job, $"Transfer {job.TransferId} to {job.ToAgencyId} started: {job.FileCodes.Count} record files", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        Queue(job.Id);
        return job;
    }

    /// <summary>
    /// Records back the transfer record the Historical Archives completed (biên bản giao nhận tài liệu nộp lưu, from its
    /// accession): every transferred file is marked accessioned here (it leaves the due lists and becomes read-only).
    /// Safe to repeat.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The record is not completed, or does not describe this transfer.</exception>
    public async ValueTask<PackageJob> ConfirmTransferAsync(string id, TransferRecordData record, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        var transfer = Require(_transfer, nameof(TransferService));
        if (job.Kind != PackageJobKind.TransferExport || job.State != PackageJobState.Completed)
        {
            throw new ArchiveConflictException("transfer", id, "transfer.not-completed", $"Job {id} is not a completed transfer ({job.Kind}, {job.State}).");
        }

        await _policy.RequireAgencyAsync(caller, job.FromAgencyId!, "transfer", cancellationToken).ConfigureAwait(false);
        if (!string.Equals(record.TransferId, job.TransferId, StringComparison.Ordinal))
        {
            throw new ArchiveValidationException("transferId", "transfer.record-mismatch", $"The record is of transfer '{record.TransferId}', this job built '{job.TransferId}'.");
        }

        if (record.FileCodes is null || !record.FileCodes.Order(StringComparer.Ordinal).SequenceEqual(job.FileCodes.Order(StringComparer.Ordinal)))
        {
            throw new ArchiveValidationException("fileCodes", "transfer.record-mismatch", "The record does not list the record files this transfer packaged.");
        }

        var marked = await transfer.ConfirmAccessionAsync(record, caller.User, cancellationToken).ConfigureAwait(false);
        var hold = await HoldAsync(id, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            job = (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false))!;
            job = await SaveAsync(job with { TransferRecord = record, Confirmed = [.. job.Confirmed.Union(marked, StringComparer.Ordinal)] }, cancellationToken).ConfigureAwait(false);
        }

        await AuditAsync(caller, Archive.Audit.AuditActions.Change, job, $"Transfer record {record.Reference} recorded: {marked.Count} record files marked transferred", Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>
    /// Builds an export job's package (run by the worker) in this host's scratch folder — resuming a handover bag an
    /// interrupted run left here — then puts the package (verified against its SHA-256), its seal and its documents
    /// into the object store, and removes the scratch folder.
    /// </summary>
    private async Task RunExportAsync(PackageJob job, CancellationToken cancellationToken)
    {
        var user = new ArchiveUser(job.CreatedBy);
        var staging = Path.Combine(_store.Folder(job.Id), "staging");
        var name = PackageName(job);
        var tar = _store.FileOf(job.Id, name);
        Directory.CreateDirectory(_store.Folder(job.Id));
        foreach (var stale in new[] { tar, tar + ".partial" })
        {
            File.Delete(stale);
        }

        var documents = Path.Combine(_store.Folder(job.Id), "documents");
        if (Directory.Exists(documents))
        {
            Directory.Delete(documents, recursive: true);
        }

        await _store.DeleteFilesAsync(job.Id, cancellationToken, DocumentsFolder).ConfigureAwait(false);
        await _store.Objects.DeleteAsync(PackageJobStore.FileKey(job.Id, name + ".p7s"), cancellationToken).ConfigureAwait(false);

        // The seal is the one configured now (a job queued before a restart may find another): the job says what its package has.
        var certificate = _seals.SigningCertificate;
        job = await SaveAsync(job with { State = PackageJobState.Running, PackageName = name, Error = null, Sealed = certificate is not null, SealNote = _seals.SealNote }, cancellationToken).ConfigureAwait(false);
        string documentsSource;
        if (job.Kind == PackageJobKind.HandoverExport)
        {
            // A staging bag without the marker was written completely by an earlier run that stopped before its tar was
            // made (or while the bag was being removed after it): mark it incomplete so that the export resumes it, every
            // file kept checked against the store, instead of refusing the folder as someone else's bag.
            if (Directory.Exists(staging) && !File.Exists(Path.Combine(staging, BagIt.IncompleteMarker)))
            {
                await File.WriteAllTextAsync(Path.Combine(staging, BagIt.IncompleteMarker), "The export that wrote this bag did not finish packing it.\n", cancellationToken).ConfigureAwait(false);
            }

            var running = job;
            var progress = new LiveProgress<HandoverProgress>(p => _live[running.Id] = running with { FilesDone = p.FilesDone, FilesTotal = p.FilesTotal, BytesDone = p.BytesDone, BytesTotal = p.BytesTotal });
            await Require(_handover, nameof(HandoverService)).ExportToFolderAsync(
                new HandoverRequest
                {
                    FondsCode = job.FondsCode!,
                    ReceivingAgencyId = job.ToAgencyId,
                    FileCodes = job.FileCodes,
                    EventId = job.EventId,
                    HandoverId = job.Id,
                    SealCertificate = certificate,
                    Documents = job.DocumentDetails,
                },
                staging,
                user,
                IncompleteExportMode.Resume,
                progress,
                cancellationToken).ConfigureAwait(false);
            documentsSource = Path.Combine(staging, "data", "catalogue");
        }
        else
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            var running = job;
            var progress = new LiveProgress<TransferProgress>(p => _live[running.Id] = running with { FilesDone = p.FilesDone, FilesTotal = p.FilesTotal, BytesDone = p.BytesDone, BytesTotal = p.BytesTotal });
            await Require(_transfer, nameof(TransferService)).ExportToFolderAsync(
                new TransferRequest
                {
                    SubmittingAgencyId = job.FromAgencyId!,
                    ArchivesAgencyId = job.ToAgencyId,
                    ArchivesName = job.ArchivesName,
                    FileCodes = job.FileCodes,
                    AsOf = job.AsOf,
                    TransferId = job.TransferId,
                    LegalBasis = job.LegalBasis,
                    SealCertificate = certificate,
                },
                staging,
                user,
                progress,
                cancellationToken).ConfigureAwait(false);
            documentsSource = Path.Combine(staging, SipLayout.Documents.TrimEnd('/'));
        }

        // The documents on their own (byte-identical to those in the package), then the tar, its digest and seal: each
        // into the store (the tar checked against the digest the seal signs), then the scratch folder goes.
        var objects = _store.Objects;
        var names = new List<string>();
        foreach (var file in Directory.EnumerateFiles(documentsSource).Order(StringComparer.Ordinal))
        {
            var stream = File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                await objects.PutAsync(PackageJobStore.FileKey(job.Id, DocumentsFolder + Path.GetFileName(file)), stream, null, cancellationToken).ConfigureAwait(false);
            }

            names.Add(Path.GetFileName(file));
        }

        await BagIt.PackFolderAsTarAsync(staging, tar, cancellationToken).ConfigureAwait(false);
        var (sha, length) = await FileHashing.HashFileAsync(tar, cancellationToken).ConfigureAwait(false);
        var package = new FileStream(tar, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (package.ConfigureAwait(false))
        {
            await objects.PutAsync(PackageJobStore.FileKey(job.Id, name), package, new PutObjectOptions { ExpectedSha256 = sha, ExpectedLength = length, ContentType = "application/x-tar" }, cancellationToken).ConfigureAwait(false);
        }

        if (certificate is not null)
        {
            await objects.PutBytesAsync(PackageJobStore.FileKey(job.Id, name + ".p7s"), SealTrust.SignAttached(Encoding.UTF8.GetBytes($"{sha}  {name}\n"), certificate), new PutObjectOptions { ContentType = "application/pkcs7-signature" }, cancellationToken).ConfigureAwait(false);
        }

        _store.DeleteScratch(job.Id);
        var live = _live.TryRemove(job.Id, out var l) ? l : job;
        job = await SaveAsync(job with
        {
            State = PackageJobState.Completed,
            PackageLength = length,
            PackageSha256 = sha,
            Documents = names,
            FilesDone = live.FilesTotal,
            FilesTotal = live.FilesTotal,
            BytesDone = live.BytesTotal,
            BytesTotal = live.BytesTotal,
        }, cancellationToken).ConfigureAwait(false);
        await AuditWorkerAsync(job, $"Package {name} completed: {length} bytes, SHA-256 {sha}" + (job.Sealed ? ", sealed" : ", unsealed"), Archive.Audit.AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
    }

    private static string PackageName(PackageJob job)
    {
        var subject = job.Kind == PackageJobKind.HandoverExport ? "ban-giao-" + (job.FondsCode ?? "phong") : "nop-luu-" + (job.FromAgencyId ?? "co-quan");
        var safe = new string([.. subject.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]);
        return $"{safe}-{job.Id[2..10]}.tar";
    }

    /// <summary>Reports progress synchronously on the caller's thread (no synchronization context hop).</summary>
    private sealed class LiveProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
