using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Archive.Audit;
using Archive.Hosting;
using Archive.IO;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Migration;

/// <summary>
/// Bulk migration from e-office exports (issue #19 item 2): a folder, ZIP or tar (optionally gzip-compressed) holding
/// <c>manifest.csv</c> or <c>manifest.json</c> (formats: docs/api.md#bulk-migration) and the content files it names,
/// imported as a resumable job. Each record file is imported whole in one version
/// (<see cref="RecordFileService.ImportBatchAsync"/>) or not at all: a record file with any bad row is not imported, every
/// bad row is reported (row, record file code, field, rule, Vietnamese message) and the batch goes on. A record file
/// already in the archive with the same content is skipped and counted; one with the same code and other content is
/// reported, never overwritten — so running an export again is harmless. The manifest is read forward and its rows are
/// grouped by record file with an external sort (<see cref="ExternalSort{T}"/>), so memory does not grow with the
/// export; the job record (<c>jobs/migrations/&lt;id&gt;.json</c>) carries progress and a checkpoint saved after each batch,
/// with the batch's error report part written first (<c>jobs/migrations/&lt;id&gt;/errors/NNNNNNNN.json</c>), so a job
/// interrupted by a crash or a restart resumes after the last record file whose outcome was saved. An uploaded export is
/// kept in the object store (<c>jobs/migrations/&lt;id&gt;/export</c>) until the job completes, so any host can resume it.
/// </summary>
public sealed partial class MigrationService
{
    /// <summary>Prefix of the job records and their files.</summary>
    public const string JobsPrefix = ArchiveStorage.JobsPrefix + "migrations/";

    private static readonly JsonTypeInfo<MigrationRow> RowJson = ManifestJsonContext.Default.MigrationRow;

    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly IObjectStore _objects;
    private readonly ArchiveOptions _archive;
    private readonly MigrationOptions _options;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly IAuditTrail? _audit;
    private readonly StorageLeases? _leases;
    private readonly IRuleMessageLocalizer? _localizer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="files">The records service the record files are imported with.</param>
    /// <param name="fonds">The fonds registry (the agency a record file code is composed with).</param>
    /// <param name="objects">The object store the jobs, their reports and uploaded exports are kept in.</param>
    /// <param name="archiveOptions">The engine's options (temporary folder).</param>
    /// <param name="options">Migration options.</param>
    /// <param name="policy">The access policy (a caller imports into the fonds it may change only); null: no caller restrictions (tests, tools).</param>
    /// <param name="audit">The audit trail (a job's start and completion).</param>
    /// <param name="leases">Leases: one host runs a job at a time.</param>
    /// <param name="localizer">Renders the error report in Vietnamese; null: the engine's English messages.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logger.</param>
    public MigrationService(RecordFileService files, FondsRegistry fonds, IObjectStore objects, IOptions<ArchiveOptions> archiveOptions, IOptions<MigrationOptions> options,
        IArchiveAccessPolicy? policy = null, IAuditTrail? audit = null, StorageLeases? leases = null, IRuleMessageLocalizer? localizer = null, TimeProvider? timeProvider = null, ILogger<MigrationService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(archiveOptions);
        ArgumentNullException.ThrowIfNull(options);
        _files = files;
        _fonds = fonds;
        _objects = objects;
        _archive = archiveOptions.Value;
        _options = options.Value;
        _policy = policy;
        _audit = audit;
        _leases = leases;
        _localizer = localizer;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised with a job's id when a job is accepted (the background worker runs it).</summary>
    public event Action<string>? JobQueued;

    /// <summary>Whether several hosts share the store (the worker then also looks for jobs other hosts left).</summary>
    public bool Shared => _leases?.Shared ?? false;

    /// <summary>
    /// Accepts an uploaded export (a ZIP or tar, optionally gzip-compressed, read from <paramref name="content"/> as it
    /// arrives and kept in the object store) as a new job, run in the background. Agency staff (not researchers);
    /// each record file is then imported only into a fonds the caller may change.
    /// </summary>
    /// <param name="content">The export.</param>
    /// <param name="name">The name it was given (shown in the job; optional).</param>
    /// <param name="caller">Who starts it.</param>
    /// <param name="cancellationToken">Cancels the upload; nothing is kept.</param>
    /// <exception cref="ArchiveValidationException">content: <c>migration.source-unsupported</c> (not a ZIP or tar), <c>content.too-large</c>.</exception>
    /// <exception cref="ArchiveAccessDeniedException">A researcher.</exception>
    public async ValueTask<MigrationJob> StartUploadAsync(Stream content, string? name, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(caller);
        if (_policy is not null)
        {
            await _policy.RequireStaffAsync(caller, "migration", null, cancellationToken).ConfigureAwait(false);
        }

        var id = NewId();
        var key = JobsPrefix + id + "/export";
        (MigrationSourceKind Kind, bool Gzip)? kind;
        var scratch = Scratch(id);
        Directory.CreateDirectory(scratch);
        var spool = Path.Combine(scratch, "upload");
        try
        {
            // Spooled once (the kind is read from its first bytes), then kept in the store for whichever host runs the job.
            var file = new FileStream(spool, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                var limited = new LimitedReadStream(content, _options.MaxUploadBytes, "content");
                await limited.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            kind = MigrationExport.Detect(spool);
            if (kind is null)
            {
                throw new ArchiveValidationException("content", MigrationRules.SourceUnsupported, "The export is not a ZIP or tar file (optionally gzip-compressed).");
            }

            var upload = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            await using (upload.ConfigureAwait(false))
            {
                await _objects.PutAsync(key, upload, new PutObjectOptions { ContentType = "application/octet-stream" }, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            TryDelete(scratch);
        }

        var job = NewJob(id, kind.Value.Kind, kind.Value.Gzip, Clean(name), null, caller);
        return await AcceptAsync(job, caller, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts an export folder on the server, named relative to <see cref="MigrationOptions.ImportRoot"/>, as a new
    /// job run in the background. Administrators only (the folder is the server's).
    /// </summary>
    /// <exception cref="ArchiveValidationException">folder: <c>migration.folder-disabled</c>, <c>migration.folder-outside</c>.</exception>
    /// <exception cref="ArchiveAccessDeniedException">Not an administrator.</exception>
    public async ValueTask<MigrationJob> StartFolderAsync(string folder, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(caller);
        if (_policy is not null)
        {
            await _policy.RequireAdministratorAsync(caller, "migration", null, cancellationToken).ConfigureAwait(false);
        }

        var full = ResolveFolder(folder);
        var job = NewJob(NewId(), MigrationSourceKind.Folder, false, folder, full, caller);
        return await AcceptAsync(job, caller, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a job for an export on this machine — a folder, a ZIP or a tar (gzip-compressed or not) — run by the
    /// operator (every fonds, as the command line on the data folder) with <see cref="RunAsync"/>; not taken up by the
    /// server's worker.
    /// </summary>
    /// <exception cref="ArchiveValidationException">path: <c>migration.folder-outside</c> (missing), <c>migration.source-unsupported</c>.</exception>
    public async ValueTask<MigrationJob> CreateLocalAsync(string path, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(user);
        var full = Path.GetFullPath(path);
        MigrationJob job;
        if (Directory.Exists(full))
        {
            job = NewJob(NewId(), MigrationSourceKind.Folder, false, path, full, null) with { RequestedBy = user.Name };
        }
        else if (File.Exists(full))
        {
            var kind = MigrationExport.Detect(full) ?? throw new ArchiveValidationException("path", MigrationRules.SourceUnsupported, $"'{path}' is not a folder, ZIP or tar file.");
            job = NewJob(NewId(), kind.Kind, kind.Gzip, path, full, null) with { RequestedBy = user.Name };
        }
        else
        {
            throw new ArchiveValidationException("path", MigrationRules.FolderOutside, $"'{path}' does not exist.");
        }

        await SaveAsync(job, cancellationToken).ConfigureAwait(false);
        await AuditAsync(null, job, "migration.start", $"{job.Source} {job.SourceName}", cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>
    /// A job, as <paramref name="caller"/> may see it: its requester and administrators (null caller: the operator)
    /// see it; for anyone else it does not exist (null).
    /// </summary>
    public async ValueTask<MigrationJob?> GetAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var job = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return job is not null && MaySee(job, caller) ? job : null;
    }

    /// <summary>The jobs <paramref name="caller"/> may see, newest first (at most <paramref name="limit"/>).</summary>
    public async ValueTask<IReadOnlyList<MigrationJob>> ListAsync(ArchiveCaller? caller, int limit = 100, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var item in _objects.ListAsync(JobsPrefix, 1000, cancellationToken).ConfigureAwait(false))
        {
            var rest = item.Key[JobsPrefix.Length..];
            if (rest.EndsWith(".json", StringComparison.Ordinal) && !rest.Contains('/', StringComparison.Ordinal))
            {
                ids.Add(rest[..^5]);
            }
        }

        var jobs = new List<MigrationJob>();
        foreach (var id in ids.Order(StringComparer.Ordinal).Reverse())
        {
            if (jobs.Count >= limit)
            {
                break;
            }

            if (await GetAsync(id, caller, cancellationToken).ConfigureAwait(false) is { } job)
            {
                jobs.Add(job);
            }
        }

        return jobs;
    }

    /// <summary>The error report of a job, row by row in the order found (null when the caller may not see the job).</summary>
    public async ValueTask<IAsyncEnumerable<MigrationRowError>?> GetErrorsAsync(string id, ArchiveCaller? caller, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(id, caller, cancellationToken).ConfigureAwait(false);
        return job is null ? null : ReadErrorsAsync(job, cancellationToken);
    }

    /// <summary>Writes an error report as CSV (UTF-8 with BOM, for spreadsheets): row, fileCode, field, rule, message.</summary>
    public static async Task WriteCsvAsync(IAsyncEnumerable<MigrationRowError> errors, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, new UTF8Encoding(true), 64 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync("row,fileCode,field,rule,message").ConfigureAwait(false);
            await foreach (var e in errors.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteLineAsync(string.Join(',', e.Row.ToString(CultureInfo.InvariantCulture), Csv(e.FileCode), Csv(e.Field), Csv(e.Rule), Csv(e.Message))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The jobs left queued or running (taken up by the worker at start-up; not the operator's).</summary>
    public async ValueTask<IReadOnlyList<string>> ListUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        var jobs = await ListAsync(null, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return jobs.Where(j => j.State is MigrationJobState.Queued or MigrationJobState.Running && !j.Operator && !_running.ContainsKey(j.Id)).Select(j => j.Id).Reverse().ToList();
    }

    private async ValueTask<MigrationJob> AcceptAsync(MigrationJob job, ArchiveCaller caller, CancellationToken cancellationToken)
    {
        await SaveAsync(job, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, job, "migration.start", $"{job.Source} {job.SourceName}", cancellationToken).ConfigureAwait(false);
        JobQueued?.Invoke(job.Id);
        return job;
    }

    private static bool MaySee(MigrationJob job, ArchiveCaller? caller)
        => caller is null || caller.WritesAcross || (!job.Operator && caller.IsAuthenticated && string.Equals(job.RequestedBy, caller.Actor, StringComparison.Ordinal));

    private MigrationJob NewJob(string id, MigrationSourceKind kind, bool gzip, string? name, string? path, ArchiveCaller? caller) => new()
    {
        Id = id,
        Source = kind,
        Gzip = gzip,
        SourceName = name,
        SourcePath = path,
        State = MigrationJobState.Queued,
        RequestedBy = caller?.Actor ?? "operator",
        Roles = caller?.Roles.Order(StringComparer.Ordinal).ToList() ?? [],
        Agencies = caller?.Agencies.Order(StringComparer.Ordinal).ToList() ?? [],
        SecretClearance = caller?.HasSecretClearance ?? false,
        Operator = caller is null,
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    private string NewId() => _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    private string ResolveFolder(string folder)
    {
        if (_options.ImportRoot is not { Length: > 0 } configured)
        {
            throw new ArchiveValidationException("folder", MigrationRules.FolderDisabled, "Reading exports from server folders is off (Archive:Migration:ImportRoot); upload the export.");
        }

        var root = Path.GetFullPath(configured).TrimEnd(Path.DirectorySeparatorChar);
        var name = folder.Trim().Trim('/');
        if (name.Length == 0 || Handover.BagIt.UnsafeReason(name) is not null)
        {
            throw new ArchiveValidationException("folder", MigrationRules.FolderOutside, "Name a folder under the import folder (Archive:Migration:ImportRoot) with a relative path, without '..'.");
        }

        var below = root;
        foreach (var segment in name.Split('/'))
        {
            below = Path.Combine(below, segment);
            if (new DirectoryInfo(below).LinkTarget is not null)
            {
                throw new ArchiveValidationException("folder", MigrationRules.FolderOutside, "The folder must be under the import folder (Archive:Migration:ImportRoot), not reached through a symbolic link.");
            }
        }

        if (!Directory.Exists(below))
        {
            throw new ArchiveValidationException("folder", MigrationRules.FolderOutside, $"There is no folder '{name}' under the import folder.");
        }

        return below;
    }

    private string Scratch(string id) => Path.Combine(_archive.ResolveTempPath(), "migration-" + id);

    private async ValueTask<MigrationJob?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (!JobId().IsMatch(id))
        {
            return null;
        }

        var content = await _objects.GetAsync(JobsPrefix + id + ".json", null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            return await ArchiveJson.DeserializeAsync<MigrationJob>(content.Stream, "migration job " + id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SaveAsync(MigrationJob job, CancellationToken cancellationToken)
        => await _objects.PutBytesAsync(JobsPrefix + job.Id + ".json", ArchiveJson.Serialize(job), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

    private static string ErrorPartKey(string id, int part) => JobsPrefix + id + "/errors/" + part.ToString("D8", CultureInfo.InvariantCulture) + ".json";

    private async IAsyncEnumerable<MigrationRowError> ReadErrorsAsync(MigrationJob job, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var part = 1; part <= job.ErrorParts; part++)
        {
            var content = await _objects.GetAsync(ErrorPartKey(job.Id, part), null, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                continue;
            }

            await using (content.ConfigureAwait(false))
            {
                await foreach (var e in JsonSerializer.DeserializeAsyncEnumerable<MigrationRowError>(content.Stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false))
                {
                    if (e is not null)
                    {
                        yield return e;
                    }
                }
            }
        }
    }

    private async ValueTask AuditAsync(ArchiveCaller? caller, MigrationJob job, string action, string detail, CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        var e = caller is not null ? caller.ToAuditEvent(action) : new AuditEvent { Action = action, Actor = job.RequestedBy };
        await _audit.AppendAsync(e with { ObjectType = "migration", ObjectId = job.Id, Detail = detail }, cancellationToken).ConfigureAwait(false);
    }

    private static string? Clean(string? name) => string.IsNullOrWhiteSpace(name) ? null : new string(name.Trim().Where(c => !char.IsControl(c)).Take(200).ToArray());

    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        // A leading = + - @ would be a formula in a spreadsheet.
        var text = value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex JobId();
}
