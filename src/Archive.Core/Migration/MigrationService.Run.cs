using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archive.IO;
using Archive.Records;
using Archive.Security;
using Archive.Storage;

namespace Archive.Migration;

/// <summary>Running a migration job: unpacking, reading the manifest, importing batch by batch with checkpoints.</summary>
public sealed partial class MigrationService
{
    /// <summary>
    /// Runs (or resumes) a job in this process until it completes or fails, under its lease (another host running it:
    /// returned as it is). Resuming starts after the job's <see cref="MigrationJob.Checkpoint"/>: record files whose outcome
    /// was saved are not looked at again (and one imported after the last checkpoint is found with the same content and
    /// counted as skipped).
    /// </summary>
    /// <param name="id">The job.</param>
    /// <param name="progress">Receives the progress after each batch.</param>
    /// <param name="cancellationToken">Stops the job; what was committed stays, and the job resumes from its checkpoint.</param>
    /// <exception cref="ArchiveNotFoundException">No such job.</exception>
    public async Task<MigrationJob> RunAsync(string id, IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var job = await LoadAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", id);
        if (job.State is MigrationJobState.Completed or MigrationJobState.Failed || !_running.TryAdd(id, 0))
        {
            return job;
        }

        try
        {
            var lease = _leases is null ? null : await _leases.TryAcquireAsync("jobs/migrations/" + id, cancellationToken).ConfigureAwait(false);
            if (_leases is not null && lease is null)
            {
                return job; // another host runs it
            }

            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease?.Lost ?? CancellationToken.None);
                job = await LoadAsync(id, cancellationToken).ConfigureAwait(false) ?? job; // as saved by the last holder
                return job.State is MigrationJobState.Completed or MigrationJobState.Failed ? job : await RunCoreAsync(job, progress, linked.Token).ConfigureAwait(false);
            }
            finally
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    private async Task<MigrationJob> RunCoreAsync(MigrationJob job, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        var caller = job.Operator ? null : ArchiveCaller.Authenticated(new ArchiveUser(job.RequestedBy), job.Roles, job.Agencies, job.SecretClearance);
        var user = new ArchiveUser(job.RequestedBy);
        var scratch = Scratch(job.Id);
        TryDelete(scratch);
        Directory.CreateDirectory(scratch);
        try
        {
            job = await SaveStateAsync(job with { State = MigrationJobState.Running, Progress = job.Progress with { Phase = "preparing" } }, cancellationToken).ConfigureAwait(false);
            var root = job.SourcePath;
            if (job.Source != MigrationSourceKind.Folder)
            {
                var archive = job.SourcePath;
                if (archive is null)
                {
                    archive = Path.Combine(scratch, "export");
                    var stored = await _objects.GetAsync(JobsPrefix + job.Id + "/export", null, cancellationToken).ConfigureAwait(false);
                    if (stored is null)
                    {
                        return await FailAsync(job, [Whole("archive", MigrationRules.SourceUnsupported, "The uploaded export is no longer in the store.")], cancellationToken).ConfigureAwait(false);
                    }

                    await using (stored.ConfigureAwait(false))
                    {
                        var local = new FileStream(archive, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
                        await using (local.ConfigureAwait(false))
                        {
                            await stored.Stream.CopyToAsync(local, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                root = Path.Combine(scratch, "export-files");
                var refused = job.Source == MigrationSourceKind.Zip
                    ? await MigrationExport.ExtractZipAsync(archive, root, _options.MaxEntries, cancellationToken).ConfigureAwait(false)
                    : await MigrationExport.ExtractTarAsync(archive, job.Gzip, root, _options.MaxEntries, cancellationToken).ConfigureAwait(false);
                if (refused.Count > 0)
                {
                    return await FailAsync(job, refused, cancellationToken).ConfigureAwait(false);
                }

                if (job.SourcePath is null)
                {
                    File.Delete(archive);
                }
            }

            if (root is null || !Directory.Exists(root))
            {
                return await FailAsync(job, [Whole("archive", MigrationRules.FolderOutside, $"The export folder '{job.SourceName}' is gone.")], cancellationToken).ConfigureAwait(false);
            }

            var csv = Path.Combine(root, MigrationManifest.CsvName);
            var json = Path.Combine(root, MigrationManifest.JsonName);
            var hasCsv = File.Exists(csv) && new FileInfo(csv).LinkTarget is null;
            var hasJson = File.Exists(json) && new FileInfo(json).LinkTarget is null;
            if (hasCsv == hasJson)
            {
                return await FailAsync(job, [Whole("manifest", MigrationRules.ManifestMissing, hasCsv
                    ? "The export holds both manifest.csv and manifest.json; keep one."
                    : "The export has no manifest.csv or manifest.json at its top.")], cancellationToken).ConfigureAwait(false);
            }

            job = await SaveStateAsync(job with { Progress = job.Progress with { Phase = "reading-manifest" } }, cancellationToken).ConfigureAwait(false);
            using var sort = new ExternalSort<MigrationRow>(ExternalSortRows.Instance, RowJson, scratch);
            long rows = 0;
            try
            {
                var manifest = new FileStream(hasCsv ? csv : json, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (manifest.ConfigureAwait(false))
                {
                    if (hasCsv)
                    {
                        foreach (var row in MigrationManifest.ReadCsv(manifest))
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            sort.Add(row);
                            rows++;
                        }
                    }
                    else
                    {
                        await foreach (var row in MigrationManifest.ReadJsonAsync(manifest, cancellationToken).ConfigureAwait(false))
                        {
                            sort.Add(row);
                            rows++;
                        }
                    }
                }
            }
            catch (MigrationManifestException ex)
            {
                return await FailAsync(job, [new MigrationRowError { Row = ex.Row, Field = ex.Field, Rule = ex.Rule, Message = Localize(ex.Field, ex.Rule, ex.Message), Detail = ex.Message }], cancellationToken).ConfigureAwait(false);
            }

            job = await SaveStateAsync(job with { Progress = job.Progress with { Phase = "importing", RowsTotal = rows } }, cancellationToken).ConfigureAwait(false);
            progress?.Report(job.Progress);
            var run = new RunState(root, caller, user);
            var batch = new List<List<MigrationRow>>();
            List<MigrationRow>? current = null;
            string? last = null;
            long files = 0;
            foreach (var row in sort.Sorted())
            {
                if (last is not null && string.Equals(last, row.FileCode, StringComparison.Ordinal))
                {
                    current?.Add(row);
                    continue;
                }

                last = row.FileCode;
                files++;
                if (current is not null)
                {
                    batch.Add(current);
                    if (batch.Count >= _options.BatchSize)
                    {
                        job = await RunBatchAsync(job, batch, run, cancellationToken).ConfigureAwait(false);
                        progress?.Report(job.Progress);
                        batch.Clear();
                    }
                }

                // A record file up to the checkpoint was handled before a restart: its outcome is in the saved counters.
                current = job.Checkpoint is not null && string.CompareOrdinal(row.FileCode, job.Checkpoint) <= 0 ? null : [row];
            }

            if (current is not null)
            {
                batch.Add(current);
            }

            if (batch.Count > 0)
            {
                job = await RunBatchAsync(job, batch, run, cancellationToken).ConfigureAwait(false);
                progress?.Report(job.Progress);
            }

            job = job with
            {
                State = MigrationJobState.Completed,
                CompletedAt = _time.GetUtcNow(),
                Progress = job.Progress with { Phase = "completed", RecordFilesTotal = files },
            };
            job = await SaveStateAsync(job, cancellationToken).ConfigureAwait(false);
            progress?.Report(job.Progress);
            var p = job.Progress;
            await AuditAsync(caller, job, "migration.complete", $"{p.RecordFilesImported} imported, {p.RecordFilesSkipped} skipped, {p.RecordFilesFailed} failed; {p.RowsFailed} rows reported", CancellationToken.None).ConfigureAwait(false);
            await _objects.DeleteAsync(JobsPrefix + job.Id + "/export", CancellationToken.None).ConfigureAwait(false);
            LogCompleted(_logger, job.Id, p.RecordFilesImported, p.RecordFilesSkipped, p.RecordFilesFailed);
            return job;
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private async ValueTask<MigrationJob> SaveStateAsync(MigrationJob job, CancellationToken cancellationToken)
    {
        job = job with { UpdatedAt = _time.GetUtcNow() };
        await SaveAsync(job, cancellationToken).ConfigureAwait(false);
        return job;
    }

    private async ValueTask<MigrationJob> FailAsync(MigrationJob job, IReadOnlyList<MigrationRowError> errors, CancellationToken cancellationToken)
    {
        var localized = errors.Select(e => e with { Message = Localize(e.Field, e.Rule, e.Detail ?? e.Message) }).ToList();
        var part = job.ErrorParts + 1;
        await _objects.PutBytesAsync(ErrorPartKey(job.Id, part), JsonSerializer.SerializeToUtf8Bytes(localized, ArchiveJson.Options), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        job = job with
        {
            State = MigrationJobState.Failed,
            CompletedAt = _time.GetUtcNow(),
            ErrorParts = part,
            Error = errors[0].Detail ?? errors[0].Message,
            Progress = job.Progress with { Phase = "failed" },
        };
        job = await SaveStateAsync(job, cancellationToken).ConfigureAwait(false);
        await AuditAsync(job.Operator ? null : ArchiveCaller.Authenticated(new ArchiveUser(job.RequestedBy), job.Roles, job.Agencies, job.SecretClearance), job, "migration.failed", job.Error!, CancellationToken.None).ConfigureAwait(false);
        await _objects.DeleteAsync(JobsPrefix + job.Id + "/export", CancellationToken.None).ConfigureAwait(false);
        LogFailed(_logger, job.Id, job.Error!);
        return job;
    }

    private static MigrationRowError Whole(string field, string rule, string message) => new() { Row = 0, Field = field, Rule = rule, Message = message, Detail = message };

    private string Localize(string field, string rule, string message) => _localizer?.Localize(new ValidationError(field, rule, message), "vi") ?? message;

    /// <summary>Imports one batch of record files, then saves its error part and the checkpoint (in that order).</summary>
    private async ValueTask<MigrationJob> RunBatchAsync(MigrationJob job, List<List<MigrationRow>> groups, RunState run, CancellationToken cancellationToken)
    {
        var plans = new List<Plan>(groups.Count);
        foreach (var group in groups)
        {
            plans.Add(await PrepareAsync(group, run, cancellationToken).ConfigureAwait(false));
        }

        var importing = plans.Where(p => p.Import is not null && p.Errors.Count == 0 && !p.Skipped).ToList();
        try
        {
            if (importing.Count > 0)
            {
                var outcomes = await _files.ImportBatchAsync(importing.Select(p => p.Import!).ToList(), run.User, _options.MaxParallelism, cancellationToken).ConfigureAwait(false);
                foreach (var outcome in outcomes)
                {
                    if (outcome.Error is { } error)
                    {
                        Report(importing[outcome.Index], error);
                    }
                }
            }
        }
        finally
        {
            foreach (var plan in importing)
            {
                foreach (var stream in plan.Streams)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        var p = job.Progress;
        var errors = new List<MigrationRowError>();
        foreach (var plan in plans)
        {
            p = p with { RowsDone = p.RowsDone + plan.Rows.Count };
            if (plan.Errors.Count > 0)
            {
                errors.AddRange(plan.Errors);
                p = p with
                {
                    RowsFailed = p.RowsFailed + plan.Errors.Select(e => e.Row).Distinct().Count(),
                    RecordFilesFailed = p.RecordFilesFailed + 1,
                    DocumentsFailed = p.DocumentsFailed + plan.Documents.Count,
                };
            }
            else if (plan.Skipped)
            {
                p = p with { RecordFilesSkipped = p.RecordFilesSkipped + 1, DocumentsSkipped = p.DocumentsSkipped + plan.Documents.Count };
            }
            else
            {
                p = p with { RecordFilesImported = p.RecordFilesImported + 1, DocumentsImported = p.DocumentsImported + plan.Documents.Count };
            }
        }

        var parts = job.ErrorParts;
        if (errors.Count > 0)
        {
            parts++;
            await _objects.PutBytesAsync(ErrorPartKey(job.Id, parts), JsonSerializer.SerializeToUtf8Bytes(errors, ArchiveJson.Options), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }

        // The commit point of the batch: counters, error parts and checkpoint together.
        return await SaveStateAsync(job with { Progress = p, ErrorParts = parts, Checkpoint = groups[^1][0].FileCode }, cancellationToken).ConfigureAwait(false);
    }

    private void Report(Plan plan, ArchiveException error)
    {
        switch (error)
        {
            case ArchiveValidationException validation:
                foreach (var e in validation.Errors)
                {
                    var (row, field) = Locate(plan, e.Field);
                    plan.Add(this, row, field, e.Rule, e.Message);
                }

                break;
            case FondsClosedException closed:
                plan.Add(this, plan.First, plan.First.FieldOf(1), closed.Rule, closed.Message);
                break;
            case ArchiveConflictException conflict when conflict.Rule == ConflictRules.AlreadyExists:
                plan.Add(this, plan.First, plan.First.FieldOf(0), MigrationRules.ExistsDifferent, $"A record file with the code '{plan.FileCode}' was created meanwhile; it is not overwritten.");
                break;
            case ArchiveConflictException conflict:
                plan.Add(this, plan.First, plan.First.FieldOf(0), conflict.Rule, conflict.Message);
                break;
            case ArchiveNotFoundException missing:
                plan.Add(this, plan.First, plan.First.FieldOf(1), "not-found", missing.Message);
                break;
            case ArchiveAccessDeniedException denied:
                plan.Add(this, plan.First, plan.First.FieldOf(1), denied.Rule, denied.Message);
                break;
            default:
                throw error; // a backend failure stops the job; it resumes from its checkpoint
        }
    }

    /// <summary>The row and manifest field an engine field (<c>documents[i].contents[j].sha256</c>, <c>title</c>) names.</summary>
    private static (MigrationRow Row, string Field) Locate(Plan plan, string field)
    {
        var m = EngineField().Match(field);
        if (m.Success && int.TryParse(m.Groups["doc"].Value, CultureInfo.InvariantCulture, out var i) && i < plan.Documents.Count)
        {
            var doc = plan.Documents[i];
            var sub = m.Groups["sub"].Value;
            if (m.Groups["content"].Success && int.TryParse(m.Groups["content"].Value, CultureInfo.InvariantCulture, out var j) && j < doc.Contents.Count)
            {
                var row = doc.Contents[j].Row;
                var column = sub switch { "fileName" or "content" or "" => "contentPath", "sha256" => "sha256", "mediaType" => "mediaType", _ => null };
                return (row, column is null ? field : row.FieldOf(MigrationManifest.Column(column)));
            }

            var docColumn = sub switch { "language" => "docLanguage", "description" => "docDescription", _ => sub };
            var c = MigrationManifest.Column(docColumn);
            return (doc.First, c >= MigrationManifest.FirstDocumentColumn ? doc.First.FieldOf(c) : field);
        }

        var top = field.Split('.', '[')[0];
        var fileColumn = MigrationManifest.Column(top);
        return (plan.First, fileColumn is >= 0 and < MigrationManifest.FirstDocumentColumn ? plan.First.FieldOf(fileColumn) : field);
    }

    [GeneratedRegex(@"^documents\[(?<doc>\d+)\](?:\.contents\[(?<content>\d+)\])?(?:\.(?<sub>[A-Za-z0-9]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex EngineField();

    /// <summary>What a run needs for every batch: the export folder, the caller, and what it learnt about fonds.</summary>
    private sealed class RunState(string root, ArchiveCaller? caller, ArchiveUser user)
    {
        public string Root { get; } = root;

        public ArchiveCaller? Caller { get; } = caller;

        public ArchiveUser User { get; } = user;

        /// <summary>Per fonds code: its agency (null: missing) and the refusal of the caller's change (null: allowed).</summary>
        public Dictionary<string, (string? AgencyId, ValidationError? Refusal)> Fonds { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One record file of a batch: its rows, what is imported, and what is wrong.</summary>
    private sealed class Plan(List<MigrationRow> rows)
    {
        public List<MigrationRow> Rows { get; } = rows;

        public MigrationRow First => Rows[0];

        public string FileCode => First.FileCode;

        public List<DocPlan> Documents { get; } = [];

        public List<MigrationRowError> Errors { get; } = [];

        public List<Stream> Streams { get; } = [];

        public RecordFileImport? Import { get; set; }

        public bool Skipped { get; set; }

        public void Add(MigrationService service, MigrationRow row, string field, string rule, string message)
            => Errors.Add(new MigrationRowError
            {
                Row = row.Row,
                FileCode = FileCode.Length == 0 ? null : FileCode,
                Field = field,
                Rule = rule,
                Message = service.Localize(field, rule, message),
                Detail = message,
            });

        public void Add(MigrationService service, MigrationRow row, int column, string rule, string message) => Add(service, row, row.FieldOf(column), rule, message);
    }

    /// <summary>One document of a record file: its first row, its content rows (with the resolved path).</summary>
    private sealed class DocPlan(MigrationRow first)
    {
        public MigrationRow First { get; } = first;

        public List<(MigrationRow Row, string Path)> Contents { get; } = [];

        public HashSet<string> Paths { get; } = new(StringComparer.OrdinalIgnoreCase);

        public DocumentInput? Input { get; set; }
    }

    /// <summary>
    /// A content file opened only when the engine first reads it and closed at its end, so a batch of thousands of
    /// documents holds a few open files at a time.
    /// </summary>
    private sealed class LazyFileStream(string path) : Stream
    {
        private FileStream? _file;
        private bool _done;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_done)
            {
                return 0;
            }

            _file ??= new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
            var n = _file.Read(buffer);
            if (n == 0 && buffer.Length > 0)
            {
                Close();
            }

            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_done)
            {
                return 0;
            }

            _file ??= new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var n = await _file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0 && buffer.Length > 0)
            {
                Close();
            }

            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _done = true;
                _file?.Dispose();
                _file = null;
            }

            base.Dispose(disposing);
        }

        private new void Close()
        {
            _done = true;
            _file?.Dispose();
            _file = null;
        }
    }
}
