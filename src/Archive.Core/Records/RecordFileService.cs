using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Packages;
using Archive.Retention;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Records;

/// <summary>
/// Record files (hồ sơ) and their documents: one versioned package per record file in <c>ocfl/files</c>
/// (id = file code) holding <c>metadata/recordfile.json</c>, the documents' content at
/// <c>content/&lt;ordinal:D3&gt;/&lt;name&gt;</c> and extracted text at <c>derived/&lt;ordinal:D3&gt;/&lt;name&gt;.pages.json</c>.
/// Every change is validated completely first (nothing changes on rejection), then committed as one new package
/// version, then indexed for search.
/// </summary>
/// <remarks>
/// Concurrency: every change takes an optional <c>expectedVersion</c> (the <see cref="Versioned{T}.Version"/> it was
/// based on). When given and stale, <see cref="ArchivePreconditionFailedException"/>; when null, the change is
/// applied to the current head and retried if another writer commits in between.
/// A record file under legal hold refuses every change but lifting the hold; an accessioned one refuses every change.
/// </remarks>
public sealed partial class RecordFileService
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
    }

    // ----------------------------------------------------------------------------------------------- reads

    /// <summary>The record file at its head version, or null.</summary>
    public async ValueTask<Versioned<RecordFile>?> GetAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The record file as it was at <paramref name="version"/>, or null when the file or version does not exist.</summary>
    public async ValueTask<Versioned<RecordFile>?> GetVersionAsync(string fileCode, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every version of the record file, oldest first (who, when, why).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.HistoryAsync(fileCode, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("record-file", fileCode);
    }

    /// <summary>
    /// Record files at their head versions, optionally only those of one agency or fonds, read from storage (not from
    /// the search index) in the package store's listing order (stable, but not sorted by file code).
    /// </summary>
    public async IAsyncEnumerable<Versioned<RecordFile>> ListAsync(RecordFileQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? agency = query?.AgencyId;
        if (query?.FondsCode is { } fondsCode)
        {
            var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
            if (fonds is null)
            {
                yield break;
            }

            if (agency is not null && !string.Equals(agency, fonds.Value.AgencyId, StringComparison.Ordinal))
            {
                yield break;
            }

            agency = fonds.Value.AgencyId;
        }

        // File codes start with OrganId + '.', so the package id rules most files out without reading them; the
        // OrganId / FondsCode checks below are exact (a longer identifier may share the prefix).
        var prefix = agency is null ? null : agency + ".";
        await foreach (var id in _storage.Files.ListPackagesAsync(query?.After, cancellationToken).ConfigureAwait(false))
        {
            if (prefix is not null && !id.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var file = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false);
            if (file is null || (query?.FondsCode is { } f && !string.Equals(file.Value.FondsCode, f, StringComparison.Ordinal)))
            {
                continue;
            }

            if (agency is not null && !string.Equals(file.Value.OrganId, agency, StringComparison.Ordinal))
            {
                continue;
            }

            yield return file;
        }
    }

    /// <summary>Weeded-out material (whole files and single documents), listed apart from the archival records.</summary>
    public async IAsyncEnumerable<NonArchivalEntry> ListNonArchivalAsync(string? agencyId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var file in ListAsync(new RecordFileQuery { AgencyId = agencyId }, cancellationToken).ConfigureAwait(false))
        {
            var f = file.Value;
            if (f.NonArchival is { } mark)
            {
                yield return new NonArchivalEntry(f.FileCode, null, f.Title, mark);
            }

            foreach (var d in f.Documents)
            {
                if (d.NonArchival is { } dm)
                {
                    yield return new NonArchivalEntry(f.FileCode, d.DocOrdinal, d.Subject, dm);
                }
            }
        }
    }

    /// <summary>
    /// Opens a content file of a document for streamed reading, whole or a byte range, at the head or a past version;
    /// null when the file, version, document or content does not exist.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The range cannot be satisfied.</exception>
    public async ValueTask<RecordContent?> OpenContentAsync(string fileCode, int docOrdinal, string fileName, ByteRange? range = null, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(fileName);
        var file = await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
        var name = fileName.Normalize(NormalizationForm.FormC);
        var content = file?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)?.Contents.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
        if (file is null || content is null)
        {
            return null;
        }

        var stream = await _storage.Files.OpenFileAsync(fileCode, content.LogicalPath, file.Version, range, cancellationToken).ConfigureAwait(false);
        return stream is null ? null : new RecordContent(content, file.Version, stream);
    }

    /// <summary>The extracted text of a content file, page by page (1-based order); null when none was extracted.</summary>
    public async ValueTask<IReadOnlyList<string>?> GetContentTextAsync(string fileCode, int docOrdinal, string fileName, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(fileName);
        var file = await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
        var name = fileName.Normalize(NormalizationForm.FormC);
        var content = file?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)?.Contents.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
        if (file is null || content?.TextPath is null)
        {
            return null;
        }

        return await _indexer.ReadPagesAsync(fileCode, content.TextPath, file.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-hashes every stored file of the record file's package (fixity check).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    public async ValueTask<FixityReport> VerifyAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        _ = await _storage.Files.GetInventoryAsync(fileCode, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("record-file", fileCode);
        return await _storage.Files.VerifyAsync(fileCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the fixity of every stored package: agencies, fonds, record files and schedules, one report each.</summary>
    public async IAsyncEnumerable<PackageFixity> VerifyAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (name, store) in _storage.Collections)
        {
            await foreach (var id in store.ListPackagesAsync(null, cancellationToken).ConfigureAwait(false))
            {
                yield return new PackageFixity(name, await store.VerifyAsync(id, cancellationToken).ConfigureAwait(false));
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- record file

    /// <summary>
    /// Creates a record file in an open fonds. <c>OrganId</c> is the fonds' creating agency; the retention comes from
    /// the schedule item when not given.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (every broken rule is listed); nothing is stored.</exception>
    /// <exception cref="FondsClosedException">The fonds is closed.</exception>
    /// <exception cref="ArchiveConflictException">A record file with this code exists (<see cref="ConflictRules.AlreadyExists"/>).</exception>
    public async ValueTask<WriteResult<RecordFile>> CreateAsync(RecordFileInput input, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var fonds = await OpenFondsAsync(input.FondsCode, cancellationToken).ConfigureAwait(false);
        var errors = new List<ValidationError>();
        var warnings = new List<RecordWarning>();
        var schedule = await _schedules.GetEffectiveAsync(fonds.Value.AgencyId, cancellationToken).ConfigureAwait(false);
        var file = Build(input, fonds.Value, schedule, null, errors, warnings);
        file = Finish(file);
        Validate(file, fonds.Value, schedule, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var gate = FileLock(file.FileCode);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await CommitNewAsync(fonds.Value.Code, file, $"Create record file {file.FileCode}", user, null, cancellationToken).ConfigureAwait(false);
            var indexed = await IndexCommittedAsync(stored.Value).ConfigureAwait(false);
            return new WriteResult<RecordFile> { Stored = stored, Warnings = warnings, Indexed = indexed };
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The fonds a new record file goes into: it must exist and be open.</summary>
    private async ValueTask<Versioned<Fonds>> OpenFondsAsync(string? fondsCode, CancellationToken cancellationToken)
    {
        var fonds = await _fonds.GetAsync(fondsCode ?? string.Empty, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveValidationException("fondsCode", "fonds.not-found", $"Fonds '{fondsCode}' does not exist.");
        if (fonds.Value.Status == FondsStatus.Closed)
        {
            throw new FondsClosedException(fonds.Value.Code, fonds.Value.ClosedOn);
        }

        return fonds;
    }

    /// <summary>
    /// Commits version 1 of a new record file holding the fonds lock shared (record files of one fonds are created in
    /// parallel; closing the fonds takes the lock exclusively).
    /// </summary>
    private async ValueTask<Versioned<RecordFile>> CommitNewAsync(string fondsCode, RecordFile file, string message, ArchiveUser user, Action<PackageCommit>? extra, CancellationToken cancellationToken)
    {
        using (await _fonds.LockSharedAsync(fondsCode, cancellationToken).ConfigureAwait(false))
        {
            // Re-read under the fonds lock: it may have been closed since it was checked.
            var now = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
            if (now is null || now.Value.Status == FondsStatus.Closed)
            {
                throw new FondsClosedException(fondsCode, now?.Value.ClosedOn);
            }

            return await _store.CommitAsync(file.FileCode, file, 0, message, user, extra, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the record file's own elements. Identity (fonds, year, notation, OrganId) cannot change; documents,
    /// weeding, legal hold and accession are kept.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    /// <exception cref="ArchiveValidationException">A rule is broken; nothing is stored.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The file changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArchiveConflictException">The file is under legal hold or accessioned.</exception>
    public ValueTask<WriteResult<RecordFile>> UpdateAsync(string fileCode, RecordFileInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, $"Update record file {fileCode}", async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var schedule = await _schedules.GetEffectiveAsync(fonds.AgencyId, ct).ConfigureAwait(false);
            if (!string.Equals(input.FondsCode?.Trim(), c.FondsCode, StringComparison.Ordinal))
            {
                errors.Add(new("fondsCode", "record-file.identity-immutable", $"The fonds of a record file cannot change (it is '{c.FondsCode}')."));
            }

            if (input.FileCatalog != c.FileCatalog)
            {
                errors.Add(new("fileCatalog", "record-file.identity-immutable", $"The year of a record file is part of its code and cannot change (it is {c.FileCatalog})."));
            }

            if (!string.Equals(input.FileNotation?.Trim(), c.FileNotation, StringComparison.Ordinal))
            {
                errors.Add(new("fileNotation", "record-file.identity-immutable", $"The file notation is part of the file code and cannot change (it is '{c.FileNotation}')."));
            }

            var next = Build(input with { FondsCode = c.FondsCode, FileCatalog = c.FileCatalog, FileNotation = c.FileNotation }, fonds, schedule, c, errors, warnings);
            return new Mutation(next with
            {
                Documents = c.Documents,
                NonArchival = c.NonArchival,
                LegalHold = c.LegalHold,
                AccessionedAt = c.AccessionedAt,
            });
        }, cancellationToken);
    }

    // ----------------------------------------------------------------------------------------------- documents

    /// <summary>
    /// Adds a document; its ordinal is <see cref="DocumentInput.DocOrdinal"/> or the next free one. A duplicate
    /// number + symbol + issuing body + year in the same agency is reported as a warning.
    /// </summary>
    public ValueTask<WriteResult<RecordFile>> AddDocumentAsync(string fileCode, DocumentInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, null, async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var ordinal = input.DocOrdinal ?? (c.Documents.Count == 0 ? 1 : c.Documents.Max(d => d.DocOrdinal) + 1);
            if (c.Documents.Any(d => d.DocOrdinal == ordinal))
            {
                errors.Add(new("docOrdinal", "doc-ordinal.taken", $"Document {ordinal} already exists in record file '{c.FileCode}'."));
            }

            var document = BuildDocument(input, ordinal, null);
            var next = c with { Documents = [.. c.Documents, document] };
            await CheckDuplicatesAsync(next, document, warnings, ct).ConfigureAwait(false);
            return new Mutation(next, $"Add document {ordinal} to {c.FileCode}");
        }, cancellationToken);
    }

    /// <summary>Replaces a document's elements (content files and weeding mark are kept; page count kept unless given).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file or document.</exception>
    public ValueTask<WriteResult<RecordFile>> UpdateDocumentAsync(string fileCode, int docOrdinal, DocumentInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, $"Update document {docOrdinal} of {fileCode}", async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var existing = FindDocument(c, docOrdinal);
            if (input.DocOrdinal is { } o && o != docOrdinal)
            {
                errors.Add(new("docOrdinal", "doc-ordinal.immutable", $"A document's ordinal cannot change (it is {docOrdinal})."));
            }

            var document = BuildDocument(input, docOrdinal, existing);
            var next = c with { Documents = c.Documents.Select(d => d.DocOrdinal == docOrdinal ? document : d).ToList() };
            await CheckDuplicatesAsync(next, document, warnings, ct).ConfigureAwait(false);
            return new Mutation(next);
        }, cancellationToken);
    }

    // ----------------------------------------------------------------------------------------------- content

    /// <summary>
    /// Uploads a content file into a document (a file with the same name is replaced; earlier versions keep it).
    /// The stream is spooled to a temporary file while it is hashed and measured (memory does not grow with its
    /// size), checked against <see cref="ContentUpload.ExpectedSha256"/> and <see cref="ArchiveOptions.MaxUploadBytes"/>,
    /// its text extracted (PDF, page by page), then content, extracted text and metadata are committed as one version.
    /// </summary>
    /// <exception cref="ArchiveValidationException">Bad name, media type or checksum; nothing is stored.</exception>
    /// <exception cref="ContentTooLargeException">Larger than the limit; nothing is stored.</exception>
    /// <exception cref="ArchiveNotFoundException">No such record file or document.</exception>
    public async ValueTask<WriteResult<RecordFile>> AddContentAsync(string fileCode, int docOrdinal, ContentUpload upload, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(upload.Content);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var errors = new List<ValidationError>();
        var name = ValidateFileName(upload.FileName, "fileName", errors);
        string? mediaType = null;
        if (upload.MediaType is not null)
        {
            mediaType = NormalizeMediaType(upload.MediaType);
            if (mediaType is null)
            {
                errors.Add(new("mediaType", "content.media-type", $"'{upload.MediaType}' is not a media type such as application/pdf."));
            }
        }

        string? expectedSha = null;
        if (upload.ExpectedSha256 is not null)
        {
            expectedSha = upload.ExpectedSha256.Trim().ToLowerInvariant();
            if (!Sha256Pattern().IsMatch(expectedSha))
            {
                errors.Add(new("sha256", "content.sha256-format", "The expected SHA-256 is 64 hexadecimal characters."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        // Fail fast, before reading a large stream.
        var head = await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("record-file", fileCode);
        if (expectedVersion is { } ev && ev != head.Version)
        {
            throw new ArchivePreconditionFailedException("record-file", fileCode, ev, head.Version);
        }

        Guard(head, allowOnHold: false);
        _ = FindDocument(head.Value, docOrdinal);

        var tempDir = _options.ResolveTempPath();
        Directory.CreateDirectory(tempDir);
        var spool = await SpoolAsync(upload.Content, tempDir, cancellationToken).ConfigureAwait(false);
        string? textTemp = null;
        try
        {
            if (expectedSha is not null && !string.Equals(expectedSha, spool.Sha256, StringComparison.Ordinal))
            {
                throw new ArchiveValidationException("sha256", "content.sha256-mismatch", $"The content's SHA-256 is {spool.Sha256}, not {expectedSha}; nothing was stored.");
            }

            mediaType ??= await SniffMediaTypeAsync(spool.Path, name!, cancellationToken).ConfigureAwait(false);
            var (status, pages) = await ExtractAsync(spool.Path, mediaType, fileCode, name!, cancellationToken).ConfigureAwait(false);
            var contentPath = ContentPath(docOrdinal, name!);
            var textPath = pages is { Count: > 0 } ? DerivedPath(docOrdinal, name!) : null;
            if (textPath is not null)
            {
                textTemp = await WriteTextTempAsync(pages!, tempDir, cancellationToken).ConfigureAwait(false);
            }

            var contentFile = new ContentFile(name!, contentPath, mediaType, spool.Length, spool.Sha256) { TextStatus = status, TextPath = textPath };
            if (status == TextExtractionStatus.PendingOcr)
            {
                // Flagged before the commit: a crash in between leaves a flag the OCR job clears, never a lost request.
                await FlagOcrPendingAsync(fileCode, docOrdinal, name!, spool.Sha256, cancellationToken).ConfigureAwait(false);
            }

            return await MutateAsync(fileCode, expectedVersion, user, false, $"Add content '{name}' to document {docOrdinal} of {fileCode}", (current, fonds, errs, warnings, ct) =>
            {
                var c = current.Value;
                var document = FindDocument(c, docOrdinal);
                if (document.Contents.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase) && !string.Equals(x.Name, name, StringComparison.Ordinal)) is { } clash)
                {
                    errs.Add(new("fileName", "file-name.case-clash", $"Document {docOrdinal} already has '{clash.Name}', which differs only by case."));
                }

                var replaced = document.Contents.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.Ordinal));
                var contents = document.Contents.Where(x => !ReferenceEquals(x, replaced)).Append(contentFile).ToList();
                var pageAmount = document.PageAmount == 0 && pages is { Count: > 0 } ? Math.Min(pages.Count, 999) : document.PageAmount;
                var next = c with { Documents = c.Documents.Select(d => d.DocOrdinal == docOrdinal ? d with { Contents = contents, PageAmount = pageAmount } : d).ToList() };
                return ValueTask.FromResult(new Mutation(next)
                {
                    Extra = (commit, disposables) =>
                    {
                        var cs = OpenRead(spool.Path);
                        disposables.Add(cs);
                        commit.Put(contentPath, cs, spool.Sha256);
                        if (textTemp is not null)
                        {
                            var tsr = OpenRead(textTemp);
                            disposables.Add(tsr);
                            commit.Put(textPath!, tsr);
                        }
                        else if (replaced?.TextPath is { } oldText)
                        {
                            commit.Remove(oldText);
                        }
                    },
                });
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(spool.Path);
            if (textTemp is not null)
            {
                TryDelete(textTemp);
            }
        }
    }

    /// <summary>Removes a content file from a document in a new version (earlier versions keep it).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file, document or content file.</exception>
    public ValueTask<WriteResult<RecordFile>> RemoveContentAsync(string fileCode, int docOrdinal, string fileName, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.Normalize(NormalizationForm.FormC);
        return MutateAsync(fileCode, expectedVersion, user, false, $"Remove content '{name}' from document {docOrdinal} of {fileCode}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var document = FindDocument(c, docOrdinal);
            var content = document.Contents.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.Ordinal))
                ?? throw new ArchiveNotFoundException("content", $"{fileCode}/{docOrdinal}/{name}");
            var next = c with { Documents = c.Documents.Select(d => d.DocOrdinal == docOrdinal ? d with { Contents = d.Contents.Where(x => !ReferenceEquals(x, content)).ToList() } : d).ToList() };
            return ValueTask.FromResult(new Mutation(next)
            {
                Extra = (commit, _) =>
                {
                    commit.Remove(content.LogicalPath);
                    if (content.TextPath is not null)
                    {
                        commit.Remove(content.TextPath);
                    }
                },
            });
        }, cancellationToken);
    }

    // ----------------------------------------------------------------------------------------------- weeding, hold, accession

    /// <summary>
    /// Weeds out a whole record file (<paramref name="docOrdinal"/> null) or one document as non-archival material
    /// (books, newspapers, drafts, reference copies...). Weeded material is listed apart
    /// (<see cref="ListNonArchivalAsync"/>), excluded from the totals, and never appears in transfer lists.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The reason is missing.</exception>
    public ValueTask<WriteResult<RecordFile>> MarkNonArchivalAsync(string fileCode, int? docOrdinal, NonArchivalKind kind, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "weeding.reason-required", "Weeding material out requires a reason.");
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArchiveValidationException("kind", "enum", $"'{kind}' is not a kind of non-archival material.");
        }

        var mark = new NonArchivalMark(kind, Clean(reason)!, _time.GetUtcNow(), user.Name);
        var target = docOrdinal is { } o ? $"document {o} of {fileCode}" : fileCode;
        return MutateAsync(fileCode, expectedVersion, user, false, $"Weed out {target} as non-archival ({kind}): {mark.Reason}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (docOrdinal is { } ord)
            {
                _ = FindDocument(c, ord);
                return ValueTask.FromResult(new Mutation(c with { Documents = c.Documents.Select(d => d.DocOrdinal == ord ? d with { NonArchival = mark } : d).ToList() }));
            }

            return ValueTask.FromResult(new Mutation(c with { NonArchival = mark }));
        }, cancellationToken);
    }

    /// <summary>Takes a weeding mark back (a review decision reversed); the history keeps both.</summary>
    public ValueTask<WriteResult<RecordFile>> ClearNonArchivalAsync(string fileCode, int? docOrdinal, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "weeding.reason-required", "Taking a weeding mark back requires a reason.");
        }

        var target = docOrdinal is { } o ? $"document {o} of {fileCode}" : fileCode;
        return MutateAsync(fileCode, expectedVersion, user, false, $"Keep {target} as archival: {Clean(reason)}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (docOrdinal is { } ord)
            {
                _ = FindDocument(c, ord);
                return ValueTask.FromResult(new Mutation(c with { Documents = c.Documents.Select(d => d.DocOrdinal == ord ? d with { NonArchival = null } : d).ToList() }));
            }

            return ValueTask.FromResult(new Mutation(c with { NonArchival = null }));
        }, cancellationToken);
    }

    /// <summary>
    /// Places or lifts a legal hold (freeze by a competent authority). A held file refuses every other change and is
    /// left out of appraisal and transfer lists (reported apart as withheld) — it is never destroyed.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The reason (e.g. the authority's decision) is missing.</exception>
    public ValueTask<WriteResult<RecordFile>> SetLegalHoldAsync(string fileCode, bool hold, string reason, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArchiveValidationException("reason", "legal-hold.reason-required", "A legal hold is placed or lifted by a decision: give it as the reason.");
        }

        return MutateAsync(fileCode, expectedVersion, user, true, $"{(hold ? "Place" : "Lift")} legal hold on {fileCode}: {Clean(reason)}", (current, fonds, errors, warnings, ct)
            => ValueTask.FromResult(new Mutation(current.Value with { LegalHold = hold })), cancellationToken);
    }

    /// <summary>
    /// Records that the Historical Archives accessioned the file (after a transfer). Only finished, permanent,
    /// archival files can be accessioned; afterwards the file is read-only here.
    /// </summary>
    /// <exception cref="ArchiveConflictException">The file is not permanent, unfinished or weeded out (<see cref="ConflictRules.InvalidState"/>).</exception>
    public ValueTask<WriteResult<RecordFile>> MarkAccessionedAsync(string fileCode, DateTimeOffset accessionedAt, string reference, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new ArchiveValidationException("reference", "accession.reference-required", "Give the transfer record (biên bản thu nộp) as the reference.");
        }

        return MutateAsync(fileCode, expectedVersion, user, false, $"Accessioned by the Historical Archives: {Clean(reference)}", (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            if (!c.Maintenance.IsPermanent || c.Status != RecordFileStatus.Finished || c.NonArchival is not null)
            {
                throw new ArchiveConflictException("record-file", fileCode, ConflictRules.InvalidState, "Only finished, permanent, archival record files are accessioned by the Historical Archives.");
            }

            return ValueTask.FromResult(new Mutation(c with { AccessionedAt = accessionedAt }));
        }, cancellationToken);
    }

    // ----------------------------------------------------------------------------------------------- core

    private delegate ValueTask<Mutation> Apply(Versioned<RecordFile> current, Fonds fonds, List<ValidationError> errors, List<RecordWarning> warnings, CancellationToken cancellationToken);

    private sealed record Mutation(RecordFile File, string? Message = null)
    {
        public Action<PackageCommit, List<IDisposable>>? Extra { get; init; }
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
        try
        {
            return await MutateLockedAsync(fileCode, expectedVersion, user, allowOnHold, message, apply, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
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
            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

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
                LogRetry(_logger, fileCode, attempt);
                continue;
            }
            finally
            {
                foreach (var d in disposables)
                {
                    d.Dispose();
                }
            }

            var indexed = await IndexCommittedAsync(stored.Value).ConfigureAwait(false);
            return new WriteResult<RecordFile> { Stored = stored, Warnings = warnings, Indexed = indexed };
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

    private static RecordFile Build(RecordFileInput input, Fonds fonds, RetentionSchedule schedule, RecordFile? current, List<ValidationError> errors, List<RecordWarning> warnings)
    {
        var organId = string.IsNullOrWhiteSpace(input.OrganId) ? fonds.AgencyId : input.OrganId.Trim();
        var notation = input.FileNotation?.Trim() ?? string.Empty;
        RetentionScheduleItem? item = null;
        var itemCode = Clean(input.ScheduleItemCode);
        if (itemCode is not null)
        {
            item = schedule.Find(itemCode);
            if (item is null)
            {
                errors.Add(new("scheduleItemCode", "schedule-item.not-found", $"Item '{itemCode}' is not in the retention schedule of agency '{fonds.AgencyId}'."));
            }
        }

        var maintenance = input.Maintenance ?? item?.Retention;
        if (maintenance is null && item is null && itemCode is null)
        {
            errors.Add(new("maintenance", "maintenance.required", "Give the retention (maintenance) or classify the file to a retention schedule item."));
        }
        else if (input.Maintenance is { } m && item is not null && m != item.Retention)
        {
            warnings.Add(new("maintenance", "maintenance.differs-from-schedule", $"The retention {m.ToVietnamese()} differs from schedule item '{item.Code}' ({item.Retention.ToVietnamese()})."));
        }

        var keywords = input.Keywords?.Select(k => Clean(k) ?? string.Empty).Distinct(StringComparer.Ordinal).ToList() ?? [];
        return new RecordFile
        {
            FileCode = RecordFile.ComposeFileCode(organId, input.FileCatalog, notation),
            OrganId = organId,
            FileCatalog = input.FileCatalog,
            FileNotation = notation,
            FondsCode = fonds.Code,
            Title = Clean(input.Title) ?? string.Empty,
            Maintenance = maintenance ?? default,
            ScheduleItemCode = itemCode,
            Rights = input.Rights,
            Creator = Clean(input.Creator),
            Language = Clean(input.Language) ?? "Tiếng Việt",
            StartDate = input.StartDate,
            EndDate = input.EndDate,
            Description = Clean(input.Description),
            InforSign = Clean(input.InforSign),
            Keywords = keywords,
            SheetNumber = input.SheetNumber,
            Format = input.Format,
            ConfidenceLevel = input.ConfidenceLevel,
            PaperFileCode = Clean(input.PaperFileCode),
            Status = input.Status,
            UnfinishedNote = Clean(input.UnfinishedNote),
            Documents = current?.Documents ?? [],
        };
    }

    private static Document BuildDocument(DocumentInput input, int ordinal, Document? existing) => new()
    {
        DocOrdinal = ordinal,
        TypeName = Clean(input.TypeName),
        CodeNumber = Clean(input.CodeNumber),
        CodeNotation = Clean(input.CodeNotation),
        IssuedDate = input.IssuedDate,
        OrganName = Clean(input.OrganName),
        Subject = Clean(input.Subject),
        Language = Clean(input.Language) ?? "Tiếng Việt",
        PageAmount = input.PageAmount ?? existing?.PageAmount ?? 0,
        Description = Clean(input.Description),
        SignerInfo = input.SignerInfo is null ? null : new Signer(Clean(input.SignerInfo.Position), Clean(input.SignerInfo.FullName)),
        ConfidenceLevel = input.ConfidenceLevel,
        Contents = existing?.Contents ?? [],
        NonArchival = existing?.NonArchival,
    };

    /// <summary>Every rule on a complete record file: Decree 30 rules plus the engine's cross-entity rules.</summary>
    private static void Validate(RecordFile file, Fonds fonds, RetentionSchedule schedule, List<ValidationError> errors)
    {
        errors.AddRange(RecordRules.ValidateRecordFile(file));
        if (!string.Equals(file.OrganId, fonds.AgencyId, StringComparison.Ordinal))
        {
            errors.Add(new("organId", "organ-id.fonds-agency", $"OrganId must be the fonds' creating agency '{fonds.AgencyId}', not '{file.OrganId}'."));
        }

        if (file.ScheduleItemCode is { } code && schedule.Find(code) is null && !errors.Any(e => e.Field == "scheduleItemCode"))
        {
            errors.Add(new("scheduleItemCode", "schedule-item.not-found", $"Item '{code}' is not in the retention schedule of agency '{fonds.AgencyId}'."));
        }

        if (!Enum.IsDefined(file.Rights))
        {
            errors.Add(new("rights", "enum", $"'{file.Rights}' is not an access level."));
        }

        if (!Enum.IsDefined(file.Status))
        {
            errors.Add(new("status", "enum", $"'{file.Status}' is not a record file status."));
        }

        if (file.Format is { } fmt && !Enum.IsDefined(fmt))
        {
            errors.Add(new("format", "enum", $"'{fmt}' is not a physical condition."));
        }

        if (file.ConfidenceLevel is { } cl && !Enum.IsDefined(cl))
        {
            errors.Add(new("confidenceLevel", "enum", $"'{cl}' is not a reliability level."));
        }

        if (file.PaperFileCode is { Length: > 50 })
        {
            errors.Add(new("paperFileCode", "max-length", "paperFileCode must be at most 50 characters."));
        }

        if (file.Documents.Count > 999)
        {
            errors.Add(new("documents", "documents.too-many", "A record file holds at most 999 documents (DocOrdinal has 3 digits)."));
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < file.Documents.Count; i++)
        {
            var d = file.Documents[i];
            var prefix = $"documents[{d.DocOrdinal}].";
            errors.AddRange(RecordRules.ValidateDocument(d, prefix));
            if (!seen.Add(d.DocOrdinal))
            {
                errors.Add(new(prefix + "docOrdinal", "doc-ordinal.taken", $"Document ordinal {d.DocOrdinal} is used twice."));
            }

            if (!Enum.IsDefined(d.ConfidenceLevel))
            {
                errors.Add(new(prefix + "confidenceLevel", "enum", $"'{d.ConfidenceLevel}' is not a reliability level."));
            }

            if ((d.CodeNumber is null) != (d.CodeNotation is null))
            {
                errors.Add(new(prefix + (d.CodeNumber is null ? "codeNumber" : "codeNotation"), "number-symbol.pair", "Give both the number and the symbol of the document, or neither."));
            }

            if (fonds.ClosedOn is { } closedOn && d.IssuedDate is { } issued && issued > closedOn)
            {
                errors.Add(new(prefix + "issuedDate", "document.issued-after-fonds-closed", $"The fonds was closed on {closedOn:yyyy-MM-dd}; its agency issued no documents after that."));
            }
        }
    }

    private async ValueTask CheckDuplicatesAsync(RecordFile file, Document document, List<RecordWarning> warnings, CancellationToken cancellationToken, SearchConsistency consistency = SearchConsistency.ReadYourWrites)
    {
        var key = RecordRules.DuplicateKey(document);
        if (key is null)
        {
            return;
        }

        var field = $"documents[{document.DocOrdinal}].codeNumber";
        foreach (var other in file.Documents)
        {
            if (other.DocOrdinal != document.DocOrdinal && RecordRules.DuplicateKey(other) == key)
            {
                warnings.Add(new(field, "document.duplicate-number", $"Document {other.DocOrdinal} of this file has the same number and symbol {document.NumberAndSymbol} from {document.OrganName} ({document.IssuedDate?.Year})."));
            }
        }

        // Other record files of the same agency: ask the search index (a projection, so eventually complete).
        try
        {
            var results = await _indexer.Index.SearchAsync(
                new SearchRequest
                {
                    Filters =
                    [
                        new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.Document)]),
                        new TermsFilter(SearchFields.CodeNumber, [document.NumberAndSymbol!]),
                        new TermsFilter(SearchFields.Agency, [file.OrganId]),
                    ],
                    PageSize = 50,
                    Consistency = consistency,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var hit in results.Hits)
            {
                var h = hit.Document;
                if (string.Equals(h.ParentId, file.FileCode, StringComparison.Ordinal) || !RecordRules.TryParseNumberAndSymbol(h.CodeNumber, out var number, out var symbol))
                {
                    continue;
                }

                var probe = new Document { DocOrdinal = 1, CodeNumber = number, CodeNotation = symbol, OrganName = h.IssuingBody, IssuedDate = h.Date };
                if (RecordRules.DuplicateKey(probe) == key)
                {
                    warnings.Add(new(field, "document.duplicate-number", $"Document {h.Id} already has the number and symbol {document.NumberAndSymbol} from {document.OrganName} ({document.IssuedDate?.Year})."));
                }
            }
        }
#pragma warning disable CA1031 // A warning check must not block the change; the failure is logged.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogDuplicateCheckFailed(_logger, file.FileCode, ex);
        }
    }

    // ----------------------------------------------------------------------------------------------- content helpers

    /// <summary>Path of a document's content file inside the package.</summary>
    public static string ContentPath(int docOrdinal, string fileName) => $"content/{docOrdinal.ToString("D3", CultureInfo.InvariantCulture)}/{fileName}";

    /// <summary>Path of the extracted text of a content file inside the package.</summary>
    public static string DerivedPath(int docOrdinal, string fileName) => $"derived/{docOrdinal.ToString("D3", CultureInfo.InvariantCulture)}/{fileName}.pages.json";

    /// <summary>
    /// Validates a content file name: one path segment, NFC, no '/', '\', '.', '..', control characters, surrounding
    /// spaces or trailing dot; at most 200 UTF-8 bytes (room for the derived-text suffix).
    /// </summary>
    /// <returns>The NFC name, or null when a rule is broken (added to <paramref name="errors"/>).</returns>
    public static string? ValidateFileName(string? fileName, string field, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(fileName))
        {
            errors.Add(new(field, "file-name.required", "The file name is required."));
            return null;
        }

        if (fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal))
        {
            errors.Add(new(field, "file-name.path", "The file name must be a name, not a path: no '/' or '\\'."));
            return null;
        }

        if (fileName != fileName.Trim() || fileName.EndsWith('.'))
        {
            errors.Add(new(field, "file-name.edges", "The file name must not start or end with spaces or end with '.'."));
            return null;
        }

        string name;
        try
        {
            name = ObjectKey.Normalize(fileName, field);
        }
        catch (ArchiveValidationException ex)
        {
            errors.AddRange(ex.Errors.Select(e => e with { Rule = e.Rule.Replace("key.", "file-name.", StringComparison.Ordinal) }));
            return null;
        }

        if (Encoding.UTF8.GetByteCount(name) > 200)
        {
            errors.Add(new(field, "file-name.too-long", "The file name must be at most 200 UTF-8 bytes."));
            return null;
        }

        return name;
    }

    private static string? NormalizeMediaType(string mediaType)
    {
        var t = mediaType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return MediaTypePattern().IsMatch(t) ? t : null;
    }

    private static readonly Dictionary<string, string> MediaTypesByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = PdfTextExtractor.PdfMediaType,
        [".xml"] = "application/xml",
        [".json"] = "application/json",
        [".txt"] = "text/plain",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".zip"] = "application/zip",
        [".mp3"] = "audio/mpeg",
        [".mp4"] = "video/mp4",
    };

    private static async ValueTask<string> SniffMediaTypeAsync(string path, string name, CancellationToken cancellationToken)
    {
        var head = new byte[5];
        var fs = OpenRead(path);
        await using (fs.ConfigureAwait(false))
        {
            var read = await fs.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == 5 && head.AsSpan().SequenceEqual("%PDF-"u8))
            {
                return PdfTextExtractor.PdfMediaType;
            }
        }

        return MediaTypesByExtension.TryGetValue(Path.GetExtension(name), out var t) ? t : "application/octet-stream";
    }

    private async ValueTask<(TextExtractionStatus Status, IReadOnlyList<string>? Pages)> ExtractAsync(string path, string mediaType, string fileCode, string name, CancellationToken cancellationToken)
    {
        var extractor = _options.ExtractText ? _extractors.FirstOrDefault(e => e.CanExtract(mediaType)) : null;
        var ocr = _options.ExtractText && _recognizers.Any(r => r.CanRecognize(mediaType));
        if (extractor is null)
        {
            // Scanned images wait for the background OCR job when a recognizer is registered.
            return (ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.NotApplicable, null);
        }

        try
        {
            // Parsers seek all over a PDF: reading a small one into memory first saves thousands of small reads.
            var length = new FileInfo(path).Length;
            var fs = length <= InMemoryExtractionBytes
                ? new MemoryStream(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), writable: false)
                : (Stream)new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, FileOptions.RandomAccess);
            await using (fs.ConfigureAwait(false))
            {
                var pages = await extractor.ExtractPagesAsync(fs, cancellationToken).ConfigureAwait(false);
                if (pages.All(string.IsNullOrWhiteSpace))
                {
                    // A PDF without a text layer is a scan: OCR it in the background when a recognizer is registered.
                    return (ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.Empty, null);
                }

                return (TextExtractionStatus.Extracted, pages);
            }
        }
#pragma warning disable CA1031 // A damaged file is still stored; the failure is recorded on the content file.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogExtractFailed(_logger, fileCode, name, ex);
            return (TextExtractionStatus.Failed, null);
        }
    }

    /// <summary>Writes extracted page texts (a JSON array) to a new temporary file, to be committed as derived text.</summary>
    private static async ValueTask<string> WriteTextTempAsync(IReadOnlyList<string> pages, string tempDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(tempDir, "text-" + Guid.NewGuid().ToString("N") + ".json");
        var ts = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16384, FileOptions.Asynchronous);
        await using (ts.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(ts, pages, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
        }

        return path;
    }

    private sealed record Spool(string Path, string Sha256, long Length);

    private async ValueTask<Spool> SpoolAsync(Stream content, string tempDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(tempDir, "upload-" + Guid.NewGuid().ToString("N") + ".tmp");
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (fs.ConfigureAwait(false))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, 81920), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > _options.MaxUploadBytes)
                    {
                        throw new ContentTooLargeException("content", _options.MaxUploadBytes);
                    }

                    hash.AppendData(buffer, 0, read);
                    await fs.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            return new Spool(path, Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            LogTempDeleteFailed(_logger, path, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogTempDeleteFailed(_logger, path, ex);
        }
    }

    private static string? Clean(string? text)
        => string.IsNullOrWhiteSpace(text) ? null : text.Trim().Normalize(NormalizationForm.FormC);

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+\-]{0,126}$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Record file {FileCode} changed while updating (attempt {Attempt}); retrying on the new head.")]
    private static partial void LogRetry(ILogger logger, string fileCode, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Text extraction failed for '{Name}' in record file {FileCode}; the content is stored without text.")]
    private static partial void LogExtractFailed(ILogger logger, string fileCode, string name, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Duplicate-number check against the search index failed for record file {FileCode}.")]
    private static partial void LogDuplicateCheckFailed(ILogger logger, string fileCode, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete temporary file {Path}.")]
    private static partial void LogTempDeleteFailed(ILogger logger, string path, Exception exception);
}
