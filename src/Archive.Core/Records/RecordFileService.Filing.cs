using Archive.Diagnostics;

namespace Archive.Records;

/// <summary>Filing one document with its content files in one call: how an e-office system files a document.</summary>
public sealed partial class RecordFileService
{
    /// <summary>
    /// Adds a document together with its content files as <b>one</b> package version — what
    /// <see cref="AddDocumentAsync(string, DocumentInput, int?, ArchiveUser, CancellationToken)"/> followed by
    /// <see cref="AddContentAsync"/> per file does in 1 + n versions. Every rule of both applies: the content files are
    /// spooled, hashed (checked against <see cref="ContentUpload.ExpectedSha256"/>), their media types checked against
    /// their bytes and their text extracted before anything is stored; all broken rules are reported together (fields
    /// of the document by their own names, content files as <c>contents[j].fileName</c> etc.), and then nothing is
    /// stored. The ordinal is <see cref="DocumentInput.DocOrdinal"/> or the next free one when the version is committed.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule is broken; nothing is stored.</exception>
    /// <exception cref="ContentTooLargeException">A content file is larger than the limit; nothing is stored.</exception>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The record file changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArchiveConflictException">The record file is under legal hold or accessioned.</exception>
    public async ValueTask<WriteResult<RecordFile>> AddDocumentAsync(string fileCode, DocumentImport document, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        if (document.Document is null)
        {
            throw new ArchiveValidationException("document", "document.required", "Give the document's elements.");
        }

        var input = document.Document;
        if (document.Contents is not { Count: > 0 })
        {
            return await AddDocumentAsync(fileCode, input, expectedVersion, user, cancellationToken).ConfigureAwait(false);
        }

        // Fail fast, before reading the content streams: the record file exists, may change, and the version matches.
        var head = await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("record-file", fileCode);
        if (expectedVersion is { } ev && ev != head.Version)
        {
            throw new ArchivePreconditionFailedException("record-file", fileCode, ev, head.Version);
        }

        Guard(head, allowOnHold: false);
        var tentative = input.DocOrdinal ?? NextOrdinal(head.Value);
        var errors = new List<ValidationError>();
        var plans = PlanContents(document.Contents, "contents", tentative, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var tempDir = _options.ResolveTempPath();
        Directory.CreateDirectory(tempDir);
        var staged = new List<StagedContent>();
        try
        {
            foreach (var plan in plans)
            {
                staged.Add(await StageAsync(plan, tentative, fileCode, tempDir, errors, cancellationToken).ConfigureAwait(false));
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var pages = staged.Sum(s => s.Pages);
            var added = await MutateAsync(fileCode, expectedVersion, user, false, null, async (current, fonds, errs, warnings, ct) =>
            {
                var c = current.Value;
                var ordinal = input.DocOrdinal ?? NextOrdinal(c);
                if (c.Documents.Any(d => d.DocOrdinal == ordinal))
                {
                    errs.Add(new("docOrdinal", "doc-ordinal.taken", $"Document {ordinal} already exists in record file '{c.FileCode}'."));
                }

                // The ordinal may have moved on since staging (another document was added meanwhile): the package paths follow it.
                var files = staged.Select(s => (File: Relocate(s.File, ordinal), Staged: s)).ToList();
                var built = BuildDocument(input, ordinal, null);
                var filed = built with
                {
                    Contents = files.Select(f => f.File).ToList(),
                    PageAmount = built.PageAmount == 0 && pages > 0 ? Math.Min(pages, 999) : built.PageAmount,
                };
                var next = c with { Documents = [.. c.Documents, filed] };
                await CheckDuplicatesAsync(next, filed, warnings, ct).ConfigureAwait(false);
                if (errs.Count == 0)
                {
                    // Flagged before the commit: a crash in between leaves a flag the OCR job clears, never a lost request.
                    foreach (var (file, _) in files.Where(f => f.File.TextStatus == TextExtractionStatus.PendingOcr))
                    {
                        await FlagOcrPendingAsync(c.FileCode, ordinal, file.Name, file.Sha256, ct).ConfigureAwait(false);
                    }
                }

                return new Mutation(next, $"Add document {ordinal} with {files.Count} content file(s) to {c.FileCode}")
                {
                    FieldPrefix = $"documents[{ordinal}].",
                    Extra = (commit, disposables) => PutStaged(commit, files, disposables),
                };
            }, cancellationToken).ConfigureAwait(false);
            ArchiveTelemetry.Ingested("document", staged.Count, staged.Sum(s => s.File.Length));
            return added;
        }
        finally
        {
            DeleteStaged(staged);
        }
    }

    private static int NextOrdinal(RecordFile file) => file.Documents.Count == 0 ? 1 : file.Documents.Max(d => d.DocOrdinal) + 1;
}
