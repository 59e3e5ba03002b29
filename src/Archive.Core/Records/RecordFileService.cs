using System.Text;
using System.Text.RegularExpressions;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Packages;
using Archive.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Records;

/// <summary>
/// Record files (hồ sơ) and their documents: one versioned package per record file in <c>ocfl/files</c>
/// (id = file code) holding <c>metadata/recordfile.json</c>, the documents' content at
/// <c>content/&lt;ordinal:D3&gt;/&lt;name&gt;</c> and extracted text at <c>derived/&lt;ordinal:D3&gt;/&lt;name&gt;.pages.json</c>.
/// Every change is validated completely first (nothing changes on rejection), then committed as one new package
/// version — the acknowledgement — and then projected into the search index in the background
/// (<see cref="GetProjectionAsync"/>, <see cref="WaitSearchableAsync"/>). Disposing the service projects what is
/// queued (bounded) and stops the projector; what is left stays flagged and is projected at the next start-up.
/// </summary>
/// <remarks>
/// Concurrency: every change takes an optional <c>expectedVersion</c> (the <see cref="Versioned{T}.Version"/> it was
/// based on). When given and stale, <see cref="ArchivePreconditionFailedException"/>; when null, the change is
/// applied to the current head and retried if another writer commits in between.
/// A record file under legal hold refuses every change but lifting the hold; an accessioned one refuses every change.
/// </remarks>
public sealed partial class RecordFileService : IAsyncDisposable, IDisposable
{
    /// <summary>Path of the record file's metadata inside its package.</summary>
    public const string MetadataPath = "metadata/recordfile.json";

    private const int MaxAttempts = 5;

    /// <summary>Content up to this size is read into memory for text extraction (larger files are read from disk).</summary>
    private const long InMemoryExtractionBytes = 16 * 1024 * 1024;
    private const int LockStripes = 64;
    private readonly SemaphoreSlim[] _fileLocks = Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ArchiveStorage _storage;
    private readonly FondsRegistry _fonds;
    private readonly RetentionScheduleService _schedules;
    private readonly RecordIndexer _indexer;
    private readonly IReadOnlyList<IContentTextExtractor> _extractors;
    private readonly IReadOnlyList<ITextRecognizer> _recognizers;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PackageEntityStore<RecordFile> _store;
    private readonly IReadOnlyCollection<string> _localAbbreviations;
    private readonly RecordProjector _projector;

    /// <summary>Creates the service.</summary>
    public RecordFileService(
        ArchiveStorage storage,
        FondsRegistry fonds,
        RetentionScheduleService schedules,
        RecordIndexer indexer,
        IEnumerable<IContentTextExtractor> extractors,
        IOptions<ArchiveOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<RecordFileService>? logger = null,
        IEnumerable<ITextRecognizer>? recognizers = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(indexer);
        ArgumentNullException.ThrowIfNull(extractors);
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _fonds = fonds;
        _schedules = schedules;
        _indexer = indexer;
        _extractors = extractors.ToList();
        _recognizers = recognizers?.ToList() ?? [];
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<RecordFileService>.Instance;
        _store = new PackageEntityStore<RecordFile>(storage.Files, "record-file", MetadataPath);
        _localAbbreviations = _options.Records.LocalTypeAbbreviations.ToHashSet(StringComparer.Ordinal);
        _projector = new RecordProjector(indexer, FileLock, _options, _time, _logger);
    }

    /// <summary>The engine's temporary folder (<see cref="ArchiveOptions.ResolveTempPath"/>), for services that spool beside it.</summary>
    internal string TempPath => _options.ResolveTempPath();

    // ----------------------------------------------------------------------------------------------- core

    private delegate ValueTask<Mutation> Apply(Versioned<RecordFile> current, Fonds fonds, List<ValidationError> errors, List<RecordWarning> warnings, CancellationToken cancellationToken);

    private sealed record Mutation(RecordFile File, string? Message = null)
    {
        public Action<PackageCommit, List<IDisposable>>? Extra { get; init; }

        /// <summary>
        /// For an operation on one part of the record file (a document): the path prefix of that part in the whole file
        /// (<c>documents[3].</c>). Errors and warnings about it name the part's own fields (<c>subject</c>, not
        /// <c>documents[3].subject</c>), as the request that changes it spells them.
        /// </summary>
        public string? FieldPrefix { get; init; }
    }

    private async ValueTask<WriteResult<RecordFile>> MutateAsync(string fileCode, int? expectedVersion, ArchiveUser user, bool allowOnHold, string? message, Apply apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();

        // Changes to one record file are serialised within this engine, and indexed in commit order (so an older
        // version never overwrites a newer one in the index); other processes are caught by the package's ExpectedHead.
        var gate = FileLock(fileCode);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var committed = false;
        try
        {
            var result = await MutateLockedAsync(fileCode, expectedVersion, user, allowOnHold, message, apply, cancellationToken).ConfigureAwait(false);
            committed = true;
            return result;
        }
        finally
        {
            if (!committed)
            {
                await _projector.NotCommittedAsync(fileCode).ConfigureAwait(false);
            }

            gate.Release();
        }
    }

    private SemaphoreSlim FileLock(string fileCode) => _fileLocks[(StringComparer.Ordinal.GetHashCode(fileCode) & int.MaxValue) % LockStripes];

    private async ValueTask<WriteResult<RecordFile>> MutateLockedAsync(string fileCode, int? expectedVersion, ArchiveUser user, bool allowOnHold, string? message, Apply apply, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveNotFoundException("record-file", fileCode);
            if (expectedVersion is { } ev && ev != current.Version)
            {
                throw new ArchivePreconditionFailedException("record-file", fileCode, ev, current.Version);
            }

            Guard(current, allowOnHold);
            var fonds = await _fonds.GetAsync(current.Value.FondsCode, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveException($"Record file '{fileCode}' names fonds '{current.Value.FondsCode}', which is not stored.");
            var errors = new List<ValidationError>();
            var warnings = new List<RecordWarning>();
            var mutation = await apply(current, fonds.Value, errors, warnings, cancellationToken).ConfigureAwait(false);
            var next = Finish(mutation.File);
            var schedule = await _schedules.GetEffectiveAsync(fonds.Value.AgencyId, cancellationToken).ConfigureAwait(false);
            Validate(next, fonds.Value, schedule, errors);
            if (mutation.FieldPrefix is { } prefix)
            {
                Rebase(errors, prefix);
                Rebase(warnings, prefix);
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            // Flagged before the commit (once per dirty period): a crash before the projection leaves the flag.
            await _projector.BeforeCommitAsync(fileCode, "change committed, projection follows", cancellationToken).ConfigureAwait(false);
            var disposables = new List<IDisposable>();
            Versioned<RecordFile> stored;
            try
            {
                stored = await _store.CommitAsync(
                    fileCode,
                    next,
                    current.Version,
                    mutation.Message ?? message ?? $"Update record file {fileCode}",
                    user,
                    mutation.Extra is null ? null : commit => mutation.Extra(commit, disposables),
                    null,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ArchivePreconditionFailedException) when (expectedVersion is null && attempt < MaxAttempts)
            {
                // Another writer (this host's other requests are serialised by the file lock, so another host's) got
                // the version: reload and apply again after a short random pause, so that the writers spread out.
                LogRetry(_logger, fileCode, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 * attempt)), cancellationToken).ConfigureAwait(false);
                continue;
            }
            finally
            {
                foreach (var d in disposables)
                {
                    d.Dispose();
                }
            }

            return Acknowledge(stored, warnings);
        }
    }

    /// <summary>Names the fields under <paramref name="prefix"/> as the single-part request spells them.</summary>
    private static void Rebase(List<ValidationError> errors, string prefix)
    {
        for (var i = 0; i < errors.Count; i++)
        {
            if (errors[i].Field.StartsWith(prefix, StringComparison.Ordinal) && errors[i].Field.Length > prefix.Length)
            {
                errors[i] = errors[i] with { Field = errors[i].Field[prefix.Length..], Message = errors[i].Message.Replace(prefix, string.Empty, StringComparison.Ordinal) };
            }
        }
    }

    private static void Rebase(List<RecordWarning> warnings, string prefix)
    {
        for (var i = 0; i < warnings.Count; i++)
        {
            if (warnings[i].Field.StartsWith(prefix, StringComparison.Ordinal) && warnings[i].Field.Length > prefix.Length)
            {
                warnings[i] = warnings[i] with { Field = warnings[i].Field[prefix.Length..], Message = warnings[i].Message.Replace(prefix, string.Empty, StringComparison.Ordinal) };
            }
        }
    }

    private static void Guard(Versioned<RecordFile> current, bool allowOnHold)
    {
        var c = current.Value;
        if (c.AccessionedAt is not null)
        {
            throw new ArchiveConflictException("record-file", c.FileCode, ConflictRules.Accessioned, $"Record file '{c.FileCode}' was accessioned by the Historical Archives and cannot change here.");
        }

        if (c.LegalHold && !allowOnHold)
        {
            throw new ArchiveConflictException("record-file", c.FileCode, ConflictRules.LegalHold, $"Record file '{c.FileCode}' is under legal hold (frozen); lift the hold first.");
        }
    }

    private static Document FindDocument(RecordFile file, int docOrdinal)
        => file.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)
            ?? throw new ArchiveNotFoundException("document", $"{file.FileCode}/{docOrdinal}");

    /// <summary>Computed elements: documents in ordinal order, DocTotal and PageTotal over archival documents.</summary>
    private static RecordFile Finish(RecordFile file)
    {
        var documents = file.Documents.OrderBy(d => d.DocOrdinal).ToList();
        var archival = documents.Where(d => d.NonArchival is null).ToList();
        return file with
        {
            Documents = documents,
            DocTotal = archival.Count,
            PageTotal = archival.Sum(d => d.PageAmount),
        };
    }

    private static string? Clean(string? text)
        => string.IsNullOrWhiteSpace(text) ? null : text.Trim().Normalize(NormalizationForm.FormC);

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();

    [LoggerMessage(EventId = 1000, EventName = "RecordFileUpdateRetry", Level = LogLevel.Information, Message = "Record file {FileCode} changed while updating (attempt {Attempt}); retrying on the new head.")]
    private static partial void LogRetry(ILogger logger, string fileCode, int attempt);

    [LoggerMessage(EventId = 1001, EventName = "TextExtractionFailed", Level = LogLevel.Warning, Message = "Text extraction failed for '{Name}' in record file {FileCode}; the content is stored without text.")]
    private static partial void LogExtractFailed(ILogger logger, string fileCode, string name, Exception exception);

    [LoggerMessage(EventId = 1002, EventName = "DuplicateCheckFailed", Level = LogLevel.Warning, Message = "Duplicate-number check against the search index failed for record file {FileCode}.")]
    private static partial void LogDuplicateCheckFailed(ILogger logger, string fileCode, Exception exception);

    [LoggerMessage(EventId = 1003, EventName = "TempFileDeleteFailed", Level = LogLevel.Warning, Message = "Could not delete temporary file {Path}.")]
    private static partial void LogTempDeleteFailed(ILogger logger, string path, Exception exception);
}
