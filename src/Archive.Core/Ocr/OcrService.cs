using Archive.Hosting;
using System.Text.Json;
using Archive.Diagnostics;
using Archive.Records;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Ocr;

/// <summary>Settings of the background OCR job.</summary>
public sealed class OcrJobOptions
{
    /// <summary>Attempts per content file before it is marked <see cref="TextExtractionStatus.OcrFailed"/> (default 3).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the second attempt; doubled for each further one (default 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the background worker looks for pending contents (default 10 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>A pending-OCR flag (<c>jobs/ocr-pending/&lt;fileCode&gt;/&lt;id&gt;</c>), written at ingest before the commit.</summary>
public sealed record OcrPendingFlag
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>The document's ordinal.</summary>
    public int DocOrdinal { get; init; }

    /// <summary>The content file's name.</summary>
    public required string Name { get; init; }

    /// <summary>The content's SHA-256 (a replaced content is not recognized under the old request).</summary>
    public required string Sha256 { get; init; }

    /// <summary>When ingest asked for OCR.</summary>
    public DateTimeOffset FlaggedAt { get; init; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>No attempt before this time (retry backoff).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; init; }
}

/// <summary>State of the OCR job.</summary>
public enum OcrJobState
{
    /// <summary>No recognizer is registered: scanned content keeps no text (status NotApplicable / Empty).</summary>
    Disabled = 0,

    /// <summary>Waiting for work.</summary>
    Idle = 1,

    /// <summary>Recognizing.</summary>
    Running = 2,
}

/// <summary>Progress of the OCR job (since the host started), for <c>GET /jobs/ocr</c>.</summary>
public sealed record OcrJobStatus
{
    /// <summary>Disabled, Idle or Running.</summary>
    public OcrJobState State { get; init; }

    /// <summary>The recognizer's name (e.g. tesseract), when one is registered.</summary>
    public string? Recognizer { get; init; }

    /// <summary>Whether the recognizer's tools and models were found at the last check.</summary>
    public bool? Available { get; init; }

    /// <summary>What is missing, when not available (e.g. "tesseract was not found" or "the 'vie' model is not installed").</summary>
    public string? Problem { get; init; }

    /// <summary>Content files waiting for OCR (including those waiting for a retry) at the last pass.</summary>
    public int Pending { get; init; }

    /// <summary>Of <see cref="Pending"/>, those waiting for a retry after a failed attempt.</summary>
    public int Retrying { get; init; }

    /// <summary>Content files recognized (with or without text found).</summary>
    public long Recognized { get; init; }

    /// <summary>Content files that failed on every attempt.</summary>
    public long Failed { get; init; }

    /// <summary>Content files marked OcrUnavailable because tools or models are missing.</summary>
    public long Unavailable { get; init; }

    /// <summary>The content being recognized: <c>fileCode/docOrdinal/name</c>.</summary>
    public string? Current { get; init; }

    /// <summary>Pages of <see cref="Current"/> done.</summary>
    public int CurrentPagesDone { get; init; }

    /// <summary>Pages of <see cref="Current"/> in total (0 while unknown).</summary>
    public int CurrentPagesTotal { get; init; }

    /// <summary>The last failure's message.</summary>
    public string? LastError { get; init; }

    /// <summary>When the last pass finished.</summary>
    public DateTimeOffset? LastPassAt { get; init; }
}

/// <summary>What one pass did.</summary>
/// <param name="Recognized">Contents recognized (text found or not).</param>
/// <param name="Failed">Contents that failed for good.</param>
/// <param name="Unavailable">Contents marked OcrUnavailable.</param>
/// <param name="Retrying">Contents whose attempt failed and that wait for a retry.</param>
/// <param name="Waiting">Contents not yet due (backoff) — left for a later pass.</param>
public sealed record OcrPassResult(int Recognized, int Failed, int Unavailable, int Retrying, int Waiting);

/// <summary>
/// The OCR job: recognizes the text of contents that ingest marked <see cref="TextExtractionStatus.PendingOcr"/>
/// (scanned images, PDFs without a text layer), stores it like extracted text (a new package version with the page
/// texts as derivative), and reindexes. Failed attempts are retried with exponential backoff up to
/// <see cref="OcrJobOptions.MaxAttempts"/>, then marked <see cref="TextExtractionStatus.OcrFailed"/>; missing tools
/// or language models mark the content <see cref="TextExtractionStatus.OcrUnavailable"/> at once (a clear terminal
/// status, never a crash). A host runs <see cref="RunPendingAsync"/> in the background (e.g. the hosted worker that
/// <c>AddTesseractOcr</c> registers); ingest never waits for it.
/// </summary>
public sealed partial class OcrService
{
    /// <summary>The lease of the OCR queue across hosts.</summary>
    public const string Lease = "jobs/ocr";

    private readonly StorageLeases? _leases;
    /// <summary>Prefix of the pending-OCR flags.</summary>
    public const string PendingPrefix = ArchiveStorage.JobsPrefix + "ocr-pending/";

    private readonly ArchiveStorage _storage;
    private readonly RecordFileService _files;
    private readonly IReadOnlyList<ITextRecognizer> _recognizers;
    private readonly OcrJobOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Lock _gate = new();
    private OcrJobStatus _status;

    /// <summary>Creates the job.</summary>
    public OcrService(ArchiveStorage storage, RecordFileService files, IEnumerable<ITextRecognizer> recognizers, IOptions<OcrJobOptions>? options = null, TimeProvider? timeProvider = null, ILogger<OcrService>? logger = null)
        : this(storage, files, recognizers, options, timeProvider, logger, null)
    {
    }

    /// <summary>Creates the service; with several hosts on one storage, a pass runs only on the host holding the OCR lease.</summary>
    /// <param name="storage">The archive storage.</param>
    /// <param name="files">The record files.</param>
    /// <param name="recognizers">The text recognizers.</param>
    /// <param name="options">Job settings.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="leases">The leases across hosts (<see langword="null"/>: one host).</param>
    public OcrService(ArchiveStorage storage, RecordFileService files, IEnumerable<ITextRecognizer> recognizers, IOptions<OcrJobOptions>? options, TimeProvider? timeProvider, ILogger<OcrService>? logger, StorageLeases? leases)
    {
        _leases = leases;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(recognizers);
        _storage = storage;
        _files = files;
        _recognizers = recognizers.ToList();
        _options = options?.Value ?? new OcrJobOptions();
        if (_options.MaxAttempts < 1)
        {
            throw new ArchiveValidationException("maxAttempts", "ocr.max-attempts", "OCR needs at least one attempt per content file.");
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<OcrService>.Instance;
        _status = new OcrJobStatus
        {
            State = _recognizers.Count == 0 ? OcrJobState.Disabled : OcrJobState.Idle,
            Recognizer = _recognizers.Count == 0 ? null : string.Join(", ", _recognizers.Select(r => r.Name)),
        };
    }

    /// <summary>Whether a recognizer is registered.</summary>
    public bool IsEnabled => _recognizers.Count > 0;

    /// <summary>The job's options.</summary>
    public OcrJobOptions Options => _options;

    /// <summary>Progress and totals since the host started.</summary>
    public OcrJobStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>The pending-OCR flags (contents waiting for OCR, including those waiting for a retry).</summary>
    public async ValueTask<IReadOnlyList<OcrPendingFlag>> ListPendingAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<OcrPendingFlag>();
        await foreach (var o in _storage.Objects.ListAsync(PendingPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await ReadFlagAsync(o.Key, cancellationToken).ConfigureAwait(false) is { } flag)
            {
                list.Add(flag);
            }
        }

        return list;
    }

    /// <summary>
    /// One pass over the pending contents that are due: recognizes each, stores the outcome and clears its flag.
    /// Passes never overlap (a second caller waits). Returns what was done.
    /// </summary>
    public async ValueTask<OcrPassResult> RunPendingAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_leases is not { Shared: true })
            {
                return await RunPassAsync(cancellationToken).ConfigureAwait(false);
            }

            // Several hosts: one of them runs the queue at a time; the others answer an empty pass.
            var lease = await _leases.TryAcquireAsync(Lease, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                return new OcrPassResult(0, 0, 0, 0, 0);
            }

            await using (lease.ConfigureAwait(false))
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
                return await RunPassAsync(linked.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    private async ValueTask<OcrPassResult> RunPassAsync(CancellationToken cancellationToken)
    {
        int recognized = 0, failed = 0, unavailable = 0, retrying = 0, waiting = 0;
        var keys = new List<string>();
        await foreach (var o in _storage.Objects.ListAsync(PendingPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(o.Key);
        }

        Update(s => s with { Pending = keys.Count, State = IsEnabled ? OcrJobState.Running : OcrJobState.Disabled });
        var availability = new Dictionary<ITextRecognizer, TextRecognizerAvailability>();
        try
        {
            foreach (var key in keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var flag = await ReadFlagAsync(key, cancellationToken).ConfigureAwait(false);
                if (flag is null)
                {
                    await _storage.Objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (flag.NotBefore is { } nb && nb > _time.GetUtcNow())
                {
                    waiting++;
                    continue;
                }

                var file = await _files.GetAsync(flag.FileCode, cancellationToken).ConfigureAwait(false);
                var content = file?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == flag.DocOrdinal)?.Contents
                    .FirstOrDefault(c => string.Equals(c.Name, flag.Name, StringComparison.Ordinal));
                if (content is null || content.TextStatus != TextExtractionStatus.PendingOcr)
                {
                    // Removed, replaced by a file with text, or already done: nothing to recognize.
                    await _storage.Objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var recognizer = _recognizers.FirstOrDefault(r => r.CanRecognize(content.MediaType));
                if (recognizer is null)
                {
                    await FinishAsync(key, flag, content, TextExtractionStatus.OcrUnavailable, null, cancellationToken).ConfigureAwait(false);
                    Update(s => s with { Unavailable = s.Unavailable + 1, Problem = $"No OCR recognizer reads {content.MediaType}." });
                    unavailable++;
                    continue;
                }

                if (!availability.TryGetValue(recognizer, out var available))
                {
                    available = await recognizer.CheckAvailabilityAsync(cancellationToken).ConfigureAwait(false);
                    availability[recognizer] = available;
                    Update(s => s with { Available = available.IsAvailable, Problem = available.Problem });
                }

                if (!available.IsAvailable)
                {
                    LogUnavailable(_logger, flag.FileCode, flag.Name, available.Problem);
                    await FinishAsync(key, flag, content, TextExtractionStatus.OcrUnavailable, null, cancellationToken).ConfigureAwait(false);
                    Update(s => s with { Unavailable = s.Unavailable + 1 });
                    unavailable++;
                    continue;
                }

                var current = $"{flag.FileCode}/{flag.DocOrdinal}/{flag.Name}";
                Update(s => s with { Current = current, CurrentPagesDone = 0, CurrentPagesTotal = 0 });
                try
                {
                    var pages = await RecognizeAsync(recognizer, flag, content, cancellationToken).ConfigureAwait(false);
                    var found = pages.Any(p => !string.IsNullOrWhiteSpace(p));
                    await FinishAsync(key, flag, content, found ? TextExtractionStatus.Recognized : TextExtractionStatus.RecognizedEmpty, pages, cancellationToken).ConfigureAwait(false);
                    Update(s => s with { Recognized = s.Recognized + 1 });
                    recognized++;
                    ArchiveTelemetry.JobItem("ocr");
                }
                catch (TextRecognizerUnavailableException ex)
                {
                    LogUnavailable(_logger, flag.FileCode, flag.Name, ex.Message);
                    availability[recognizer] = new TextRecognizerAvailability(false, ex.Message);
                    await FinishAsync(key, flag, content, TextExtractionStatus.OcrUnavailable, null, cancellationToken).ConfigureAwait(false);
                    Update(s => s with { Unavailable = s.Unavailable + 1, Available = false, Problem = ex.Message });
                    unavailable++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var attempts = flag.Attempts + 1;
                    Update(s => s with { LastError = $"{current}: {ex.Message}" });
                    if (attempts >= _options.MaxAttempts)
                    {
                        LogFailed(_logger, flag.FileCode, flag.Name, attempts, ex);
                        await FinishAsync(key, flag, content, TextExtractionStatus.OcrFailed, null, cancellationToken).ConfigureAwait(false);
                        Update(s => s with { Failed = s.Failed + 1 });
                        failed++;
                    }
                    else
                    {
                        var delay = _options.RetryDelay * Math.Pow(2, attempts - 1);
                        LogRetry(_logger, flag.FileCode, flag.Name, attempts, delay, ex);
                        var next = flag with { Attempts = attempts, NotBefore = _time.GetUtcNow() + delay, LastError = ex.Message };
                        await _storage.Objects.PutBytesAsync(key, JsonSerializer.SerializeToUtf8Bytes(next, ArchiveJson.Options), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
                        retrying++;
                    }
                }
            }
        }
        finally
        {
            var state = IsEnabled ? OcrJobState.Idle : OcrJobState.Disabled;
            var pending = waiting + retrying;
            Update(s => s with { State = state, Current = null, CurrentPagesDone = 0, CurrentPagesTotal = 0, Pending = pending, Retrying = pending, LastPassAt = _time.GetUtcNow() });
        }

        return new OcrPassResult(recognized, failed, unavailable, retrying, waiting);
    }

    private async ValueTask<IReadOnlyList<string>> RecognizeAsync(ITextRecognizer recognizer, OcrPendingFlag flag, ContentFile content, CancellationToken cancellationToken)
    {
        var opened = await _files.OpenContentAsync(flag.FileCode, flag.DocOrdinal, flag.Name, null, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveException($"The content '{flag.Name}' of record file '{flag.FileCode}' could not be read.");
        await using (opened.ConfigureAwait(false))
        {
            var progress = new SyncProgress(p => Update(s => s with { CurrentPagesDone = p.Done, CurrentPagesTotal = p.Total }));
            return await recognizer.RecognizeAsync(opened.Content.Stream, content.MediaType, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FinishAsync(string key, OcrPendingFlag flag, ContentFile content, TextExtractionStatus status, IReadOnlyList<string>? pages, CancellationToken cancellationToken)
    {
        await _files.StoreOcrResultAsync(flag.FileCode, flag.DocOrdinal, content.Name, content.Sha256, status, pages, cancellationToken).ConfigureAwait(false);
        await _storage.Objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false);

        // A content uploaded again under the same name meanwhile keeps waiting: flag it again.
        var head = await _files.GetAsync(flag.FileCode, cancellationToken).ConfigureAwait(false);
        var again = head?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == flag.DocOrdinal)?.Contents
            .FirstOrDefault(c => string.Equals(c.Name, flag.Name, StringComparison.Ordinal) && c.TextStatus == TextExtractionStatus.PendingOcr);
        if (again is not null)
        {
            var renewed = flag with { Sha256 = again.Sha256, Attempts = 0, NotBefore = null, LastError = null, FlaggedAt = _time.GetUtcNow() };
            await _storage.Objects.PutBytesAsync(key, JsonSerializer.SerializeToUtf8Bytes(renewed, ArchiveJson.Options), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<OcrPendingFlag?> ReadFlagAsync(string key, CancellationToken cancellationToken)
    {
        var o = await _storage.Objects.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (o is null)
        {
            return null;
        }

        await using (o.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync<OcrPendingFlag>(o.Stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                LogBadFlag(_logger, key, ex);
                return null;
            }
        }
    }

    private void Update(Func<OcrJobStatus, OcrJobStatus> change)
    {
        lock (_gate)
        {
            _status = change(_status);
        }
    }

    private sealed class SyncProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    [LoggerMessage(EventId = 1300, EventName = "OcrUnavailable", Level = LogLevel.Warning, Message = "OCR is unavailable for '{Name}' in record file {FileCode}: {Problem}")]
    private static partial void LogUnavailable(ILogger logger, string fileCode, string name, string? problem);

    [LoggerMessage(EventId = 1301, EventName = "OcrFailed", Level = LogLevel.Error, Message = "OCR of '{Name}' in record file {FileCode} failed {Attempts} times; marked OcrFailed.")]
    private static partial void LogFailed(ILogger logger, string fileCode, string name, int attempts, Exception exception);

    [LoggerMessage(EventId = 1302, EventName = "OcrRetry", Level = LogLevel.Warning, Message = "OCR of '{Name}' in record file {FileCode} failed (attempt {Attempts}); retrying in {Delay}.")]
    private static partial void LogRetry(ILogger logger, string fileCode, string name, int attempts, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1303, EventName = "OcrFlagUnreadable", Level = LogLevel.Warning, Message = "Ignoring the unreadable OCR flag {Key}.")]
    private static partial void LogBadFlag(ILogger logger, string key, Exception exception);
}
