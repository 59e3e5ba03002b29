using System.Collections.Concurrent;
using Archive.Audit;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Security;
using Archive.Transfer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Exchange;

/// <summary>
/// The reorganisation's package work as jobs any face can drive (REST, CLI, C#): a handover package for the successor
/// and a submission package for the Historical Archives, built in the background, downloadable with their seal and
/// documents; packages received — uploaded in resumable chunks or read from a storage device — verified with a report
/// by file, then accepted (custody recorded, records accessioned) or declined; the completed transfer record recorded
/// back by the submitting agency. Every step checks the caller (an agency sees only its own jobs, a whole package is
/// only for callers cleared for every file in it) and is audited. Jobs live in <see cref="ExchangeOptions.WorkPath"/>
/// and resume after a restart (<see cref="PackageExchangeWorker"/>).
/// </summary>
public sealed partial class PackageExchangeService
{
    private readonly PackageJobStore _store;
    private readonly PackageSeals _seals;
    private readonly ExchangeOptions _options;
    private readonly HandoverService? _handover;
    private readonly TransferService? _transfer;
    private readonly AccessionService? _accession;
    private readonly ReorganisationService? _events;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IArchiveAccessPolicy _policy;
    private readonly IAuditTrail? _audit;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PackageJob> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningJob> _running = new(StringComparer.Ordinal);

    /// <summary>Creates the service; the handover, transfer and accession services are optional (their jobs are refused without them).</summary>
    public PackageExchangeService(
        IOptions<ArchiveOptions> archiveOptions,
        IOptions<ExchangeOptions> options,
        PackageSeals seals,
        FondsRegistry fonds,
        AgencyRegistry agencies,
        IArchiveAccessPolicy policy,
        HandoverService? handover = null,
        TransferService? transfer = null,
        AccessionService? accession = null,
        ReorganisationService? events = null,
        IAuditTrail? audit = null,
        ILogger<PackageExchangeService>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(archiveOptions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(seals);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(policy);
        _options = options.Value;
        _store = new PackageJobStore(_options.WorkPath ?? Path.Combine(archiveOptions.Value.DataPath, "exchange"));
        _seals = seals;
        _fonds = fonds;
        _agencies = agencies;
        _policy = policy;
        _handover = handover;
        _transfer = transfer;
        _accession = accession;
        _events = events;
        _audit = audit;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised (with the job id) when a job needs the worker: the worker subscribes.</summary>
    internal event Action<string>? WorkQueued;

    /// <summary>The folder jobs and packages are kept in.</summary>
    public string WorkPath => _store.Root;

    /// <summary>The seal configuration (what an export's answer says about its seal).</summary>
    public PackageSeals Seals => _seals;

    /// <summary>A job the caller may see (an agency sees the jobs it hands or receives; administrators all).</summary>
    /// <exception cref="ArchiveNotFoundException">No such job, or one of another agency (its existence is not revealed).</exception>
    public PackageJob Get(string id, ArchiveCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var job = _store.Get(id);
        if (job is null || !MaySee(job, caller))
        {
            throw new ArchiveNotFoundException("package-job", id);
        }

        return WithLiveProgress(job);
    }

    /// <summary>The jobs of <paramref name="kind"/> the caller may see, newest first.</summary>
    public IReadOnlyList<PackageJob> List(PackageJobKind kind, ArchiveCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return [.. _store.List().Where(j => j.Kind == kind && MaySee(j, caller)).Select(WithLiveProgress)];
    }

    /// <summary>Every job (for the worker and operators' tools): no caller check.</summary>
    internal IReadOnlyList<PackageJob> ListAll() => _store.List();

    /// <summary>
    /// The package of a completed export (or of a received one) to download: its path, length and SHA-256. Only for
    /// callers cleared for every file in it; the download is audited.
    /// </summary>
    /// <exception cref="ArchiveConflictException">The package is not complete (<c>package.not-ready</c>).</exception>
    /// <exception cref="ArchiveAccessDeniedException">It holds secret files and the caller has no clearance.</exception>
    public async ValueTask<(string Path, string Name, long Length, string Sha256)> OpenPackageAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = Get(id, caller);
        if (job.Kind is not (PackageJobKind.HandoverExport or PackageJobKind.TransferExport) || job.State != PackageJobState.Completed || job.PackageName is null)
        {
            throw new ArchiveConflictException("package-job", id, "package.not-ready", $"Job {id} is {job.State}: its package can be downloaded once it is Completed.");
        }

        await RequireClearanceAsync(job, caller, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, AuditActions.Export, job, $"Package {job.PackageName} downloaded", AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        return (_store.FileOf(id, job.PackageName), job.PackageName, job.PackageLength ?? 0, job.PackageSha256 ?? string.Empty);
    }

    /// <summary>The package's seal (<c>.p7s</c>: CMS SignedData over the line "&lt;sha256&gt;  &lt;package name&gt;").</summary>
    /// <exception cref="ArchiveNotFoundException">The package is unsealed (no seal certificate was configured).</exception>
    public ValueTask<(string Path, string Name)> OpenSealAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = Get(id, caller);
        if (job.State != PackageJobState.Completed || job.PackageName is null || !job.Sealed)
        {
            throw new ArchiveNotFoundException("package-seal", id);
        }

        return ValueTask.FromResult((_store.FileOf(id, job.PackageName + ".p7s"), job.PackageName + ".p7s"));
    }

    /// <summary>One of a job's documents (catalogue, list of unfinished files, handover or transfer record), identical to the one in the package.</summary>
    public async ValueTask<string> OpenDocumentAsync(string id, string name, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = Get(id, caller);
        if (name is null || !job.Documents.Contains(name, StringComparer.Ordinal))
        {
            throw new ArchiveNotFoundException("document", name ?? string.Empty);
        }

        await RequireClearanceAsync(job, caller, cancellationToken).ConfigureAwait(false);
        return Path.Combine(_store.Folder(id), "documents", name);
    }

    /// <summary>Cancels a job that is queued, running or uploading: its files are removed, nothing is committed.</summary>
    public async ValueTask<PackageJob> CancelAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = Get(id, caller);
        await RequireActorAgencyAsync(job, caller, cancellationToken).ConfigureAwait(false);
        if (job.State is not (PackageJobState.Queued or PackageJobState.Running or PackageJobState.Uploading or PackageJobState.Verifying))
        {
            throw new ArchiveConflictException("package-job", id, "job.not-cancellable", $"Job {id} is {job.State}; only a queued, running, uploading or verifying job can be cancelled.");
        }

        if (_running.TryGetValue(id, out var running))
        {
            // Stop the run and wait until it has stopped: its files are removed only once nothing writes them.
            try
            {
                await running.Cancellation.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The run had just ended.
            }

            await running.Done.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        }

        var gate = _store.Lock(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            job = _store.Get(id)!;
            if (job.State is not (PackageJobState.Queued or PackageJobState.Running or PackageJobState.Uploading or PackageJobState.Verifying))
            {
                throw new ArchiveConflictException("package-job", id, "job.not-cancellable", $"Job {id} became {job.State} before it could be cancelled.");
            }

            DeleteWorkFiles(id);
            job = await SaveAsync(job with { State = PackageJobState.Cancelled }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        await AuditAsync(caller, AuditActionFor(job.Kind), job, "Cancelled", AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        return job;
    }

    private static bool MaySee(PackageJob job, ArchiveCaller caller)
        => caller.IsAuthenticated && (caller.WritesAcross
            || caller.Agencies.Contains(job.ToAgencyId)
            || (job.FromAgencyId is not null && caller.Agencies.Contains(job.FromAgencyId)));

    private async ValueTask RequireClearanceAsync(PackageJob job, ArchiveCaller caller, CancellationToken cancellationToken)
    {
        if (job.HighestAccessLevel == AccessLevel.Secret && !caller.HasSecretClearance)
        {
            await _policy.AuditDeniedAsync(caller, "package-job", job.Id, "clearance", cancellationToken).ConfigureAwait(false);
            throw new ArchiveAccessDeniedException("id", "clearance.package", "The package holds record files you are not cleared for; ask a user with clearance for every file in it.");
        }
    }

    /// <summary>
    /// The side that acts on a job: the receiving side for receipts and accessions, the submitting agency for a
    /// transfer, the handing agency or its successor for a handover.
    /// </summary>
    private ValueTask RequireActorAgencyAsync(PackageJob job, ArchiveCaller caller, CancellationToken cancellationToken)
    {
        var agency = job.Kind switch
        {
            PackageJobKind.HandoverReceipt or PackageJobKind.Accession => job.ToAgencyId,
            PackageJobKind.HandoverExport when caller.Agencies.Contains(job.ToAgencyId) => job.ToAgencyId,
            _ => job.FromAgencyId ?? job.ToAgencyId,
        };
        return _policy.RequireAgencyAsync(caller, agency, ObjectTypeOf(job.Kind), cancellationToken);
    }

    /// <summary>
    /// The job with the progress of the work under way: the live counters of a run, or for an upload the bytes on disk,
    /// which is where the next chunk must start (a chunk cut off midway, or a server stopped during one, leaves more
    /// bytes than the job last recorded).
    /// </summary>
    private PackageJob WithLiveProgress(PackageJob job)
    {
        if (job.State == PackageJobState.Uploading)
        {
            // The bytes on disk, also while a chunk is still arriving (and after a crash: what survived it).
            var part = new FileInfo(_store.FileOf(job.Id, UploadFile));
            return job with { BytesDone = part.Exists ? part.Length : 0 };
        }

        return _live.TryGetValue(job.Id, out var live) && job.State is PackageJobState.Running or PackageJobState.Verifying or PackageJobState.Accepting
            ? job with { FilesDone = live.FilesDone, FilesTotal = live.FilesTotal, BytesDone = live.BytesDone, BytesTotal = live.BytesTotal }
            : job;
    }

    private async ValueTask<PackageJob> SaveAsync(PackageJob job, CancellationToken cancellationToken)
        => await _store.SaveAsync(job with { UpdatedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);

    private void Queue(string id) => WorkQueued?.Invoke(id);

    private void DeleteWorkFiles(string id)
    {
        var folder = _store.Folder(id);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            if (Path.GetFileName(entry).StartsWith("job.json", StringComparison.Ordinal))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    private static string AuditActionFor(PackageJobKind kind) => kind is PackageJobKind.HandoverExport or PackageJobKind.TransferExport ? AuditActions.Export : AuditActions.Import;

    private static string ObjectTypeOf(PackageJobKind kind) => kind switch
    {
        PackageJobKind.HandoverExport => "handover",
        PackageJobKind.TransferExport => "transfer",
        PackageJobKind.HandoverReceipt => "handover-receipt",
        _ => "accession",
    };

    private async ValueTask AuditAsync(ArchiveCaller caller, string action, PackageJob job, string detail, AuditOutcome outcome, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendAsync(new AuditEvent
        {
            Action = action,
            Actor = caller.Actor,
            ActorAgencyId = caller.PrimaryAgency,
            ObjectType = ObjectTypeOf(job.Kind),
            ObjectId = job.Id,
            Outcome = outcome,
            Detail = detail,
            ClientAddress = caller.ClientAddress,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AuditWorkerAsync(PackageJob job, string detail, AuditOutcome outcome, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        await _audit.AppendAsync(new AuditEvent
        {
            Action = AuditActionFor(job.Kind),
            Actor = job.CreatedBy,
            ObjectType = ObjectTypeOf(job.Kind),
            ObjectId = job.Id,
            Outcome = outcome,
            Detail = detail,
        }, cancellationToken).ConfigureAwait(false);
    }

    private T Require<T>(T? service, string what)
        where T : class
        => service ?? throw new ArchiveException($"{what} is not registered in this host: call services.AddArchive(...).{(typeof(T) == typeof(HandoverService) ? "AddReorganisation()" : "AddTransfer()")}.");
}
