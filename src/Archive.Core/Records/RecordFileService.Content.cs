using System.Globalization;
using System.Text;
using Archive.Diagnostics;
using Archive.Hosting;
using Archive.Storage;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- content

    /// <summary>
    /// Uploads a content file into a document (a file with the same name is replaced; earlier versions keep it).
    /// The stream is staged in the object store (or, where it cannot stage, spooled to a temporary file) while it is
    /// hashed and measured (memory does not grow with its size), checked against <see cref="ContentUpload.ExpectedSha256"/>
    /// and <see cref="ArchiveOptions.MaxUploadBytes"/>,
    /// its media type checked against its content (see <see cref="ContentUpload.MediaType"/>), its text extracted
    /// (page by page, or by section or sheet), then content, extracted text and metadata are committed as one version.
    /// </summary>
    /// <exception cref="ArchiveValidationException">Bad name, media type (also <c>content.media-type-mismatch</c>: the declared type contradicts the content) or checksum; nothing is stored.</exception>
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
            mediaType = MediaTypes.Normalize(upload.MediaType);
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

            var resolved = await ResolveMediaTypeAsync(spool, name!, mediaType, cancellationToken).ConfigureAwait(false);
            if (resolved.Mismatch is { } mismatch)
            {
                throw new ArchiveValidationException("mediaType", MediaTypes.MismatchRule, mismatch);
            }

            mediaType = resolved.MediaType;
            var extraction = await ExtractAsync(spool, mediaType, fileCode, name!, cancellationToken).ConfigureAwait(false);
            var (status, pages) = (extraction.Status, extraction.Pages);
            var contentPath = ContentPath(docOrdinal, name!);
            var textPath = pages is { Count: > 0 } ? DerivedPath(docOrdinal, name!) : null;
            if (textPath is not null)
            {
                textTemp = await WriteTextTempAsync(pages!, tempDir, cancellationToken).ConfigureAwait(false);
            }

            var contentFile = extraction.Apply(new ContentFile(name!, contentPath, mediaType, spool.Length, spool.Sha256) { TextPath = textPath });
            if (status == TextExtractionStatus.PendingOcr)
            {
                // Flagged before the commit: a crash in between leaves a flag the OCR job clears, never a lost request.
                await FlagOcrPendingAsync(fileCode, docOrdinal, name!, spool.Sha256, cancellationToken).ConfigureAwait(false);
            }

            var added = await MutateAsync(fileCode, expectedVersion, user, false, $"Add content '{name}' to document {docOrdinal} of {fileCode}", (current, fonds, errs, warnings, ct) =>
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
                        spool.PutInto(commit, contentPath, disposables);
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
            ArchiveTelemetry.Ingested("upload", 1, spool.Length);
            return added;
        }
        finally
        {
            spool.Dispose();
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

        // Control characters are refused above (file-name.control-character); zero-width and other invisible ones here.
        if (TextRules.FindInvisible(name) is { } hidden)
        {
            errors.Add(TextRules.Error(field, hidden.Index, hidden.CodePoint));
            return null;
        }

        if (Encoding.UTF8.GetByteCount(name) > 200)
        {
            errors.Add(new(field, "file-name.too-long", "The file name must be at most 200 UTF-8 bytes."));
            return null;
        }

        return name;
    }
}
