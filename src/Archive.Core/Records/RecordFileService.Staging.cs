namespace Archive.Records;

/// <summary>Content files checked, spooled, hashed and extracted before a commit that stores them (import, filing).</summary>
public sealed partial class RecordFileService
{
    /// <summary>A content upload whose name, media type and announced digest passed the checks that need no content.</summary>
    private sealed record ContentPlan(ContentUpload Upload, string Name, string? MediaType, string? Sha256, string Field);

    /// <summary>A content file spooled, checked and extracted, waiting for its commit.</summary>
    private sealed class StagedContent(ContentFile file, Spool spool, string? textTemp, int pages)
    {
        public ContentFile File { get; } = file;

        public Spool Spool { get; } = spool;

        public string? TextTemp { get; } = textTemp;

        /// <summary>Pages (sections, sheets) of extracted text.</summary>
        public int Pages { get; } = pages;
    }

    /// <summary>
    /// The checks of a document's content uploads that need no content: a stream, a valid file name unique in the
    /// document (without case), a media type and an announced digest of the right form. Fields are named
    /// <c>{prefix}[j].fileName</c> etc.
    /// </summary>
    private static List<ContentPlan> PlanContents(IReadOnlyList<ContentUpload>? uploads, string prefix, int docOrdinal, List<ValidationError> errors)
    {
        var plans = new List<ContentPlan>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        uploads ??= [];
        for (var j = 0; j < uploads.Count; j++)
        {
            var upload = uploads[j];
            var field = $"{prefix}[{j}].";
            if (upload?.Content is null)
            {
                errors.Add(new(field + "content", "content.required", "Give the content stream."));
                continue;
            }

            var name = ValidateFileName(upload.FileName, field + "fileName", errors);
            if (name is not null && !names.Add(name))
            {
                errors.Add(new(field + "fileName", "file-name.case-clash", $"Document {docOrdinal} already has a file named '{name}' (names are compared without case)."));
            }

            string? mediaType = null;
            if (upload.MediaType is not null && (mediaType = MediaTypes.Normalize(upload.MediaType)) is null)
            {
                errors.Add(new(field + "mediaType", "content.media-type", $"'{upload.MediaType}' is not a media type such as application/pdf."));
            }

            string? sha = null;
            if (upload.ExpectedSha256 is not null && !Sha256Pattern().IsMatch(sha = upload.ExpectedSha256.Trim().ToLowerInvariant()))
            {
                errors.Add(new(field + "sha256", "content.sha256-format", "The expected SHA-256 is 64 hexadecimal characters."));
            }

            if (name is not null)
            {
                plans.Add(new ContentPlan(upload, name, mediaType, sha, field));
            }
        }

        return plans;
    }

    /// <summary>
    /// Spools a planned content file (hashing and measuring it), checks its digest and its media type against the
    /// bytes, and extracts its text. Broken rules go to <paramref name="errors"/>; the staged file is returned even
    /// then, for the caller to delete with the others.
    /// </summary>
    private async ValueTask<StagedContent> StageAsync(ContentPlan plan, int docOrdinal, string fileCode, string tempDir, List<ValidationError> errors, CancellationToken cancellationToken)
    {
        var spool = await SpoolAsync(plan.Upload.Content, tempDir, cancellationToken).ConfigureAwait(false);
        string? textTemp = null;
        try
        {
            if (plan.Sha256 is not null && !string.Equals(plan.Sha256, spool.Sha256, StringComparison.Ordinal))
            {
                errors.Add(new(plan.Field + "sha256", "content.sha256-mismatch", $"The content's SHA-256 is {spool.Sha256}, not {plan.Sha256}; nothing was stored."));
            }

            var resolved = await ResolveMediaTypeAsync(spool, plan.Name, plan.MediaType, cancellationToken).ConfigureAwait(false);
            if (resolved.Mismatch is { } mismatch)
            {
                errors.Add(new(plan.Field + "mediaType", MediaTypes.MismatchRule, mismatch));
            }

            var mediaType = resolved.MediaType;
            var extraction = await ExtractAsync(spool, mediaType, fileCode, plan.Name, cancellationToken).ConfigureAwait(false);
            var pages = extraction.Pages;
            string? textPath = null;
            if (pages is { Count: > 0 })
            {
                textPath = DerivedPath(docOrdinal, plan.Name);
                textTemp = await WriteTextTempAsync(pages, tempDir, cancellationToken).ConfigureAwait(false);
            }

            var contentFile = extraction.Apply(new ContentFile(plan.Name, ContentPath(docOrdinal, plan.Name), mediaType, spool.Length, spool.Sha256) { TextPath = textPath });
            return new StagedContent(contentFile, spool, textTemp, pages?.Count ?? 0);
        }
        catch
        {
            spool.Dispose();
            if (textTemp is not null)
            {
                TryDelete(textTemp);
            }

            throw;
        }
    }

    /// <summary>The media type to store for spooled content (see <see cref="MediaTypes.ResolveAsync(Stream, string, string?, CancellationToken)"/>).</summary>
    private static async ValueTask<MediaTypes.Resolution> ResolveMediaTypeAsync(Spool spool, string name, string? declared, CancellationToken cancellationToken)
    {
        var stream = spool.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            return await MediaTypes.ResolveAsync(stream, name, declared, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A staged content file's package paths for another document ordinal.</summary>
    private static ContentFile Relocate(ContentFile file, int docOrdinal) => file with
    {
        LogicalPath = ContentPath(docOrdinal, file.Name),
        TextPath = file.TextPath is null ? null : DerivedPath(docOrdinal, file.Name),
    };

    /// <summary>Puts the staged content files (and their extracted text) into a commit; the streams go to <paramref name="streams"/>.</summary>
    private static void PutStaged(Packages.PackageCommit commit, IEnumerable<(ContentFile File, StagedContent Staged)> staged, ICollection<IDisposable> streams)
    {
        foreach (var (file, s) in staged)
        {
            s.Spool.PutInto(commit, file.LogicalPath, streams);
            if (s.TextTemp is not null)
            {
                var ts = OpenRead(s.TextTemp);
                streams.Add(ts);
                commit.Put(file.TextPath!, ts);
            }
        }
    }

    private void DeleteStaged(IEnumerable<StagedContent> staged)
    {
        foreach (var s in staged)
        {
            s.Spool.Dispose();
            if (s.TextTemp is not null)
            {
                TryDelete(s.TextTemp);
            }
        }
    }
}
