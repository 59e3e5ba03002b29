using System.Collections.Concurrent;
using Archive.Audit;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Security;
using Archive.Storage;
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
/// only for callers cleared for every file in it) and is audited.
/// </summary>
/// <remarks>
/// <para><b>Several hosts.</b> The jobs, the packages built and the packages received live in the archive's object
/// store (<c>exchange/jobs/&lt;id&gt;.json</c>, <c>exchange/files/&lt;id&gt;/</c>), so every host sharing it sees a job,
/// its progress and its files, whichever host accepted the request. A job is run, and changed, only by the host holding
/// its lease <c>jobs/exchange/&lt;id&gt;</c> (<see cref="StorageLeases"/>): the <see cref="PackageExchangeWorker"/> of
/// each host looks for unsettled jobs and runs one only while it holds the lease, so a job runs on one host at a time;
/// when its host dies, the lease expires and another host runs the job again — an export from scratch (a handover bag
/// left half-written resumes only on the host that wrote it), a verification or an acceptance again (both safe to
/// repeat). <see cref="ExchangeOptions.WorkPath"/> is only this host's scratch space. A receipt that reads a server
/// folder (<see cref="ReceiptRequest.SourcePath"/>, a storage device attached to one host) records the accepting host
/// (<see cref="PackageJob.Host"/>) and runs only there: the device cannot be read elsewhere, and copying a package of
/// up to <see cref="ExchangeOptions.MaxPackageBytes"/> into the store inside the request would make the request as long
/// as the copy. With one host (<see cref="ArchiveHostsOptions.Shared"/> off) leases are granted at once.</para>
/// </remarks>
public sealed partial class PackageExchangeService
{
    private readonly PackageJobStore _store;
    private readonly StorageLeases _leases;
    private readonly string _hostName;
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
        IObjectStore objects,
        StorageLeases leases,
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
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(leases);
        _options = options.Value;
        _store = new PackageJobStore(objects, _options.WorkPath ?? Path.Combine(archiveOptions.Value.DataPath, "exchange"));
        _leases = leases;
        _hostName = archiveOptions.Value.Hosts.Name;
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

    /// <summary>This host's scratch folder for building and verifying packages.</summary>
    public string WorkPath => _store.Root;

    /// <summary>The seal configuration (what an export's answer says about its seal).</summary>
    public PackageSeals Seals => _seals;

    /// <summary>Whether several hosts share the storage (the worker then looks for jobs in the store every <see cref="ExchangeOptions.PollInterval"/>).</summary>
    internal bool Shared => _leases.Shared;

    internal TimeSpan PollInterval => _options.PollInterval;

    internal TimeProvider Time => _time;

    /// <summary>The object store the jobs and their files are kept in.</summary>
    internal IObjectStore Objects => _store.Objects;

    /// <summary>A job the caller may see (an agency sees the jobs it hands or receives; administrators all), as stored now.</summary>
    /// <exception cref="ArchiveNotFoundException">No such job, or one of another agency (its existence is not revealed).</exception>
    public async ValueTask<PackageJob> GetAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var job = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null || !MaySee(job, caller))
        {
            throw new ArchiveNotFoundException("package-job", id);
        }

        return await WithLiveProgressAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The jobs of <paramref name="kind"/> the caller may see, newest first.</summary>
    public async ValueTask<IReadOnlyList<PackageJob>> ListAsync(PackageJobKind kind, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var jobs = new List<PackageJob>();
        foreach (var job in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (job.Kind == kind && MaySee(job, caller))
            {
                jobs.Add(await WithLiveProgressAsync(job, cancellationToken).ConfigureAwait(false));
            }
        }

        return jobs;
    }

    /// <summary>Every job (for the worker and operators' tools): no caller check.</summary>
    internal ValueTask<IReadOnlyList<PackageJob>> ListAllAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    /// <summary>
    /// The package of a completed export to download, from the object store (any host serves it): name, length,
    /// SHA-256 and a seekable stream. Only for callers cleared for every file in it; the download is audited.
    /// </summary>
    /// <exception cref="ArchiveConflictException">The package is not complete (<c>package.not-ready</c>).</exception>
    /// <exception cref="ArchiveAccessDeniedException">It holds secret files and the caller has no clearance.</exception>
    public async ValueTask<ExchangeFile> OpenPackageAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        if (job.Kind is not (PackageJobKind.HandoverExport or PackageJobKind.TransferExport) || job.State != PackageJobState.Completed || job.PackageName is null)
        {
            throw new ArchiveConflictException("package-job", id, "package.not-ready", $"Job {id} is {job.State}: its package can be downloaded once it is Completed.");
        }

        await RequireClearanceAsync(job, caller, cancellationToken).ConfigureAwait(false);
        var file = await ExchangeFile.OpenAsync(_store.Objects, PackageJobStore.FileKey(id, job.PackageName), job.PackageName, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveConflictException("package-job", id, "package.not-ready", $"The package of job {id} is missing from the store.");
        await AuditAsync(caller, AuditActions.Export, job, $"Package {job.PackageName} downloaded", AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        return file;
    }

    /// <summary>The package's seal (<c>.p7s</c>: CMS SignedData over the line "&lt;sha256&gt;  &lt;package name&gt;").</summary>
    /// <exception cref="ArchiveNotFoundException">The package is unsealed (no seal certificate was configured).</exception>
    public async ValueTask<ExchangeFile> OpenSealAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        if (job.State != PackageJobState.Completed || job.PackageName is null || !job.Sealed)
        {
            throw new ArchiveNotFoundException("package-seal", id);
        }

        var name = job.PackageName + ".p7s";
        return await ExchangeFile.OpenAsync(_store.Objects, PackageJobStore.FileKey(id, name), name, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("package-seal", id);
    }

    /// <summary>One of a job's documents (catalogue, list of unfinished files, handover or transfer record), identical to the one in the package.</summary>
    public async ValueTask<ExchangeFile> OpenDocumentAsync(string id, string name, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        if (name is null || !job.Documents.Contains(name, StringComparer.Ordinal))
        {
            throw new ArchiveNotFoundException("document", name ?? string.Empty);
        }

        await RequireClearanceAsync(job, caller, cancellationToken).ConfigureAwait(false);
        return await ExchangeFile.OpenAsync(_store.Objects, PackageJobStore.FileKey(id, DocumentsFolder + name), name, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("document", name);
    }

    /// <summary>
    /// Cancels a job that is queued, running, uploading or verifying: its files are removed, nothing is committed. A job
    /// running on another host is asked to stop (it checks every <see cref="ExchangeOptions.PollInterval"/>); the answer
    /// comes once it has.
    /// </summary>
    public async ValueTask<PackageJob> CancelAsync(string id, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        await RequireActorAgencyAsync(job, caller, cancellationToken).ConfigureAwait(false);
        if (!IsCancellable(job.State))
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
        else if (_leases.Shared)
        {
            // Perhaps running on another host: it sees this request, stops and gives up the job's lease (and a host that
            // takes the job up later cancels it instead of running it).
            await _store.Objects.PutBytesAsync(PackageJobStore.FileKey(id, CancelMarker), "cancel\n"u8.ToArray(), new PutObjectOptions { ContentType = "text/plain" }, cancellationToken).ConfigureAwait(false);
        }

        var hold = await HoldAsync(id, 4 * _options.PollInterval + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            job = (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false))!;
            if (!IsCancellable(job.State))
            {
                throw new ArchiveConflictException("package-job", id, "job.not-cancellable", $"Job {id} became {job.State} before it could be cancelled.");
            }

            job = await SettleCancelledAsync(job, cancellationToken).ConfigureAwait(false);
        }

        await AuditAsync(caller, AuditActionFor(job.Kind), job, "Cancelled", AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        return job;
    }

    private const string CancelMarker = "cancel";
    private const string DocumentsFolder = "documents/";

    private static bool IsCancellable(PackageJobState state)
        => state is PackageJobState.Queued or PackageJobState.Running or PackageJobState.Uploading or PackageJobState.Verifying;

    /// <summary>Removes the job's files and records it cancelled (the caller holds the job's lease).</summary>
    private async ValueTask<PackageJob> SettleCancelledAsync(PackageJob job, CancellationToken cancellationToken)
    {
        await _store.DeleteFilesAsync(job.Id, cancellationToken).ConfigureAwait(false);
        _live.TryRemove(job.Id, out _);
        return await SaveAsync(job with { State = PackageJobState.Cancelled }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes this process's gate of the job, then the job's lease to change it (another host may be running or changing it); waits up to
    /// <paramref name="wait"/> for it.
    /// </summary>
    /// <exception cref="ArchiveConflictException">Another host holds it still (<c>job.busy</c>).</exception>
    private async ValueTask<JobHold> HoldAsync(string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        var gate = _store.Lock(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Environment.TickCount64;
            while (true)
            {
                var lease = await _leases.TryAcquireAsync(PackageJobStore.LeaseName(id), cancellationToken).ConfigureAwait(false);
                if (lease is not null)
                {
                    return new JobHold(lease, gate);
                }

                if (Environment.TickCount64 - started > wait.TotalMilliseconds)
                {
                    throw new ArchiveConflictException("package-job", id, "job.busy", $"Job {id} is being worked on by another host; try again in a moment.");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>A job held for a change: this process's gate of the job and its lease across hosts, released in that order's reverse.</summary>
    private sealed class JobHold(StorageLease lease, SemaphoreSlim gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
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
    /// The job with the progress of the work under way: the live counters of a run on this host (another host's run
    /// writes its progress into the record every <see cref="ExchangeOptions.PollInterval"/>), or for an upload the bytes
    /// in the store, which is where the next chunk must start (a chunk cut off midway, or a host stopped during one,
    /// leaves more bytes than the job last recorded).
    /// </summary>
    private async ValueTask<PackageJob> WithLiveProgressAsync(PackageJob job, CancellationToken cancellationToken)
    {
        if (job.State == PackageJobState.Uploading)
        {
            var (received, _) = await ReceivedAsync(job, cancellationToken).ConfigureAwait(false);
            return job with { BytesDone = received };
        }

        return _live.TryGetValue(job.Id, out var live) && job.State is PackageJobState.Running or PackageJobState.Verifying or PackageJobState.Accepting
            ? job with { FilesDone = live.FilesDone, FilesTotal = live.FilesTotal, BytesDone = live.BytesDone, BytesTotal = live.BytesTotal }
            : job;
    }

    /// <summary>
    /// Saves the job's record. While this host runs the job, its saves and the periodic progress saves take turns, and a
    /// progress save never follows the run's last state.
    /// </summary>
    private async ValueTask<PackageJob> SaveAsync(PackageJob job, CancellationToken cancellationToken)
    {
        job = job with { UpdatedAt = _time.GetUtcNow() };
        if (!_running.TryGetValue(job.Id, out var running))
        {
            return await _store.SaveAsync(job, cancellationToken).ConfigureAwait(false);
        }

        await running.SaveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            running.Last = await _store.SaveAsync(job, cancellationToken).ConfigureAwait(false);
            return running.Last;
        }
        finally
        {
            running.SaveGate.Release();
        }
    }

    private void Queue(string id) => WorkQueued?.Invoke(id);

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

        await _audit.AppendAsync(caller.ToAuditEvent(action) with
        {
            ObjectType = ObjectTypeOf(job.Kind),
            ObjectId = job.Id,
            Outcome = outcome,
            Detail = detail,
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
