using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Backup;

/// <summary>The state of a backup job.</summary>
public enum BackupJobState
{
    /// <summary>Accepted, waiting for the backup before it to finish.</summary>
    Queued = 0,

    /// <summary>Copying.</summary>
    Running = 1,

    /// <summary>The set is complete (its manifest written and sealed).</summary>
    Completed = 2,

    /// <summary>The backup failed (see the error); the set folder is incomplete.</summary>
    Failed = 3,

    /// <summary>The server stopped while the job ran; the set folder is incomplete.</summary>
    Interrupted = 4,
}

/// <summary>A backup run by the server (<c>POST /backups</c>), with its progress.</summary>
public sealed record BackupJob
{
    /// <summary>The job's id, also the set's id and folder name under <c>Archive:Backup:Path</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Full or incremental.</summary>
    public required BackupKind Kind { get; init; }

    /// <summary>The base set of an incremental backup.</summary>
    public string? IncrementalFrom { get; init; }

    /// <summary>State.</summary>
    public required BackupJobState State { get; init; }

    /// <summary>Who asked for it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was asked for.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the state last changed or progress was recorded.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it completed or failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The last progress recorded.</summary>
    public BackupProgress? Progress { get; init; }

    /// <summary>The manifest of the completed set.</summary>
    public BackupManifest? Manifest { get; init; }

    /// <summary>Hex SHA-256 of the completed set's manifest.</summary>
    public string? ManifestSha256 { get; init; }

    /// <summary>Whether the manifest was sealed.</summary>
    public bool Sealed { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// Backups run by the server in the background, one at a time, each into a new set folder under
/// <see cref="BackupOptions.Path"/>; the job records (<c>jobs/backups/&lt;id&gt;.json</c>, never themselves backed up) carry
/// state and progress so that every host on the store sees them. A job the process running it no longer runs (the server
/// stopped) is reported <see cref="BackupJobState.Interrupted"/>.
/// </summary>
public sealed class BackupJobService : IDisposable
{
    /// <summary>Prefix of the job records.</summary>
    public const string JobsPrefix = ArchiveStorage.JobsPrefix + "backups/";

    private readonly BackupService _backups;
    private readonly IObjectStore _objects;
    private readonly BackupOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _saved = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _save = new(1, 1);

    /// <summary>Creates the job runner.</summary>
    /// <param name="backups">The backup engine.</param>
    /// <param name="objects">The store the job records are kept in.</param>
    /// <param name="options">Where sets are written.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logger.</param>
    public BackupJobService(BackupService backups, IObjectStore objects, IOptions<BackupOptions> options, TimeProvider? timeProvider = null, ILogger<BackupJobService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        _backups = backups;
        _objects = objects;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Starts a backup: full, or incremental on the completed set <paramref name="incrementalFrom"/> (a set id under
    /// <see cref="BackupOptions.Path"/>). Administrators only (checked and audited by <see cref="BackupService"/> now, before
    /// the job is accepted).
    /// </summary>
    /// <exception cref="ArchiveConflictException"><c>backup.not-configured</c>: no <c>Archive:Backup:Path</c>.</exception>
    /// <exception cref="ArchiveValidationException">incrementalFrom: <c>backup.base-not-found</c>.</exception>
    public async ValueTask<BackupJob> StartAsync(string? incrementalFrom, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await _backups.CheckCallerAsync(caller, cancellationToken).ConfigureAwait(false);
        var folder = _options.Path is { Length: > 0 } p ? System.IO.Path.GetFullPath(p)
            : throw new ArchiveConflictException("backup", "configuration", "backup.not-configured", "No backup folder is configured (Archive:Backup:Path): the server cannot write backup sets.");
        if (incrementalFrom is not null && (!BackupService.SetId().IsMatch(incrementalFrom) || !File.Exists(System.IO.Path.Combine(folder, incrementalFrom, BackupService.ManifestFile))))
        {
            throw new ArchiveValidationException("incrementalFrom", "backup.base-not-found", $"There is no completed backup set '{incrementalFrom}' in the backup folder.");
        }

        var now = _time.GetUtcNow();
        var id = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + (incrementalFrom is null ? "full" : "incr") + "-" + Guid.NewGuid().ToString("N")[..6];
        var job = new BackupJob
        {
            Id = id,
            Kind = incrementalFrom is null ? BackupKind.Full : BackupKind.Incremental,
            IncrementalFrom = incrementalFrom,
            State = BackupJobState.Queued,
            RequestedBy = caller.Actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await SaveAsync(job, cancellationToken).ConfigureAwait(false);
        _running[id] = Task.Run(() => RunAsync(job, folder, caller), CancellationToken.None);
        return job;
    }

    /// <summary>A job; null when there is none with that id.</summary>
    public async ValueTask<BackupJob?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!BackupService.SetId().IsMatch(id))
        {
            return null;
        }

        // Whether this process runs the job, asked before its record is read: a job saves its final state before it
        // leaves _running, so a record read afterwards that still says Queued/Running belongs to a job no process runs.
        // (Asked after the read, a job finishing in between was reported interrupted.)
        var live = _running.ContainsKey(id);
        var content = await _objects.GetAsync(JobsPrefix + id + ".json", null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        BackupJob job;
        await using (content.ConfigureAwait(false))
        {
            job = await ArchiveJson.DeserializeAsync<BackupJob>(content.Stream, "backup job " + id, cancellationToken).ConfigureAwait(false);
        }

        return job.State is BackupJobState.Queued or BackupJobState.Running && !live
            ? job with { State = BackupJobState.Interrupted, Error = "The server stopped while the backup ran; the set is incomplete. Start a new backup." }
            : job;
    }

    /// <summary>The jobs, newest first (at most <paramref name="limit"/>).</summary>
    public async ValueTask<IReadOnlyList<BackupJob>> ListAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var item in _objects.ListAsync(JobsPrefix, 1000, cancellationToken).ConfigureAwait(false))
        {
            if (item.Key.EndsWith(".json", StringComparison.Ordinal))
            {
                ids.Add(item.Key[JobsPrefix.Length..^5]);
            }
        }

        var jobs = new List<BackupJob>();
        foreach (var id in ids.Order(StringComparer.Ordinal).Reverse().Take(limit))
        {
            if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } job)
            {
                jobs.Add(job);
            }
        }

        return jobs;
    }

    /// <summary>Waits for a job this process runs (tests, shutdown).</summary>
    public Task WaitAsync(string id) => _running.TryGetValue(id, out var task) ? task : Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _one.Dispose();
        _save.Dispose();
    }

    private async Task RunAsync(BackupJob job, string folder, ArchiveCaller caller)
    {
        var token = _stopping.Token;
        try
        {
            await _one.WaitAsync(token).ConfigureAwait(false);
            try
            {
                job = job with { State = BackupJobState.Running, UpdatedAt = _time.GetUtcNow() };
                await SaveAsync(job, token).ConfigureAwait(false);
                var last = _time.GetUtcNow();
                var progress = new InlineProgress(p =>
                {
                    var now = _time.GetUtcNow();
                    if (now - last >= TimeSpan.FromSeconds(1))
                    {
                        last = now;
                        job = job with { Progress = p, UpdatedAt = now };
                        _ = SaveQuietlyAsync(job);
                    }
                });
                var result = await _backups.CreateAsync(
                    System.IO.Path.Combine(folder, job.Id),
                    job.IncrementalFrom is null ? null : System.IO.Path.Combine(folder, job.IncrementalFrom),
                    caller, progress, token).ConfigureAwait(false);
                var m = result.Manifest;
                job = job with
                {
                    State = BackupJobState.Completed,
                    UpdatedAt = _time.GetUtcNow(),
                    CompletedAt = m.CompletedAt,
                    Progress = new BackupProgress { Phase = "completed", Objects = m.Objects, Files = m.Files, Bytes = m.Bytes, FilesStored = m.FilesStored, FilesTotal = m.Files },
                    Manifest = m,
                    ManifestSha256 = result.ManifestSha256,
                    Sealed = result.Sealed,
                };
            }
            finally
            {
                _one.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // stopping: reported as interrupted
        }
#pragma warning disable CA1031 // A job's failure is its state.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BackupService.LogJobFailed(_logger, job.Id, ex);
            job = job with { State = BackupJobState.Failed, UpdatedAt = _time.GetUtcNow(), CompletedAt = _time.GetUtcNow(), Error = ex.Message };
        }

        try
        {
            await SaveAsync(job, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }

    private async Task SaveQuietlyAsync(BackupJob job)
    {
        try
        {
            await SaveAsync(job, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Progress is best effort; the final state is saved again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async ValueTask SaveAsync(BackupJob job, CancellationToken cancellationToken)
    {
        await _save.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A progress save that lost the race with a later one (the final state) must not overwrite it.
            if (_saved.TryGetValue(job.Id, out var saved) && saved > job.UpdatedAt)
            {
                return;
            }

            _saved[job.Id] = job.UpdatedAt;
            await _objects.PutBytesAsync(JobsPrefix + job.Id + ".json", JsonSerializer.SerializeToUtf8Bytes(job, ArchiveJson.Options), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _save.Release();
        }
    }

    private sealed class InlineProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
