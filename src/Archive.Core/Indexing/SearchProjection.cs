using System.Globalization;
using Archive.Records;
using Archive.Retention;
using Archive.Search;

namespace Archive.Indexing;

/// <summary>
/// Maps a record file and its documents to <see cref="SearchDocument"/>s. Pure: the same record always gives the same
/// documents, so the index can be rebuilt from storage alone.
/// </summary>
/// <remarks>
/// Record file: <c>Id</c> = file code; title; text = description and the unfinished-work note; keywords; agency =
/// <c>OrganId</c>; fonds; retention; access = <c>Rights</c>; status <c>finished</c>/<c>unfinished</c>/<c>accessioned</c>;
/// date = start date. Document: <c>Id</c> = file code + '/' + ordinal; parent = file code; title = type name and number;
/// subject = trích yếu; number and symbol; type; issuing body; date = issue date; pages = extracted text (with the
/// label of each sheet or section that is not a page); access and
/// retention from the file. Tags (both kinds): <see cref="TagClosingYear"/>, <see cref="TagNonArchival"/>,
/// <see cref="TagLegalHold"/>, <see cref="TagScheduleItem"/> (when classified). Version (both kinds, when given): the
/// package version of the record file the documents were projected from (<see cref="SearchDocument.Version"/>), so an
/// index shared by several hosts never lets an older projection replace a newer one.
/// </remarks>
public static class SearchProjection
{
    /// <summary>Tag: the closing year retention counts from (<c>tag.closingYear</c>).</summary>
    public const string TagClosingYear = "closingYear";

    /// <summary>Tag: <c>true</c> when weeded out as non-archival (the file, or for a document the document or its file).</summary>
    public const string TagNonArchival = "nonArchival";

    /// <summary>Tag: <c>true</c> when the record file is under legal hold.</summary>
    public const string TagLegalHold = "legalHold";

    /// <summary>Tag: the retention schedule item code.</summary>
    public const string TagScheduleItem = "scheduleItem";

    /// <summary>The index id of a record file.</summary>
    public static string RecordFileId(string fileCode) => fileCode;

    /// <summary>The index id of a document.</summary>
    public static string DocumentId(string fileCode, int docOrdinal) => fileCode + "/" + docOrdinal.ToString(CultureInfo.InvariantCulture);

    /// <summary>Status label of a record file: <c>accessioned</c>, <c>unfinished</c> or <c>finished</c>.</summary>
    public static string StatusOf(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.AccessionedAt is not null ? "accessioned" : file.Status == RecordFileStatus.Unfinished ? "unfinished" : "finished";
    }

    /// <summary>Every search document of a record file: the file itself, then its documents by ordinal.</summary>
    /// <param name="file">The record file.</param>
    /// <param name="pages">Extracted page texts of a document (all its content files, in order), or null.</param>
    /// <param name="version">The package version <paramref name="file"/> was read from, set as every document's <see cref="SearchDocument.Version"/>; null when unknown.</param>
    /// <param name="pageLabels">The label of each of a document's pages (sheet name, section heading; null for a numbered page), aligned with <paramref name="pages"/>, or null.</param>
    public static IReadOnlyList<SearchDocument> Project(RecordFile file, Func<Document, IReadOnlyList<string>?>? pages = null, long? version = null, Func<Document, IReadOnlyList<string?>?>? pageLabels = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(version ?? 0, nameof(version));
        var list = new List<SearchDocument>(file.Documents.Count + 1) { ForRecordFile(file) with { Version = version } };
        list.AddRange(file.Documents.OrderBy(d => d.DocOrdinal).Select(d => ForDocument(file, d, pages?.Invoke(d), pageLabels?.Invoke(d)) with { Version = version }));
        return list;
    }

    /// <summary>The search document of the record file itself.</summary>
    public static SearchDocument ForRecordFile(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new SearchDocument
        {
            Id = RecordFileId(file.FileCode),
            Kind = SearchDocumentKind.RecordFile,
            Title = file.Title,
            Text = Join(file.Description, file.UnfinishedNote, file.NonArchival?.Reason),
            Keywords = file.Keywords,
            AgencyId = file.OrganId,
            FondsId = file.FondsCode,
            FileCode = file.FileCode,
            Retention = file.Maintenance.ToString(),
            AccessLevel = file.Rights,
            Status = StatusOf(file),
            Date = file.StartDate,
            Tags = Tags(file, file.NonArchival is not null),
        };
    }

    /// <summary>The search document of one document of <paramref name="file"/>.</summary>
    /// <param name="file">The record file.</param>
    /// <param name="document">One of its documents.</param>
    /// <param name="pages">The document's extracted page texts, or null.</param>
    /// <param name="pageLabels">The label of each page (null for a numbered page), or null when none has one.</param>
    public static SearchDocument ForDocument(RecordFile file, Document document, IReadOnlyList<string>? pages, IReadOnlyList<string?>? pageLabels = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(document);
        var title = Join(document.TypeName, document.NumberAndSymbol);
        return new SearchDocument
        {
            Id = DocumentId(file.FileCode, document.DocOrdinal),
            Kind = SearchDocumentKind.Document,
            ParentId = RecordFileId(file.FileCode),
            Title = title,
            Subject = document.Subject,
            Text = Join(document.Description, document.NonArchival?.Reason, document.SignerInfo?.FullName, document.SignerInfo?.Position),
            Pages = pages is { Count: > 0 } ? pages : null,
            PageLabels = pages is { Count: > 0 } && pageLabels is not null && pageLabels.Count == pages.Count && pageLabels.Any(l => l is not null) ? pageLabels : null,
            AgencyId = file.OrganId,
            FondsId = file.FondsCode,
            FileCode = file.FileCode,
            CodeNumber = document.NumberAndSymbol,
            DocumentType = document.TypeName,
            IssuingBody = document.OrganName,
            Retention = file.Maintenance.ToString(),
            AccessLevel = file.Rights,
            Status = StatusOf(file),
            Date = document.IssuedDate,
            Tags = Tags(file, file.NonArchival is not null || document.NonArchival is not null),
        };
    }

    private static Dictionary<string, string> Tags(RecordFile file, bool nonArchival)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TagClosingYear] = RetentionPlanner.ClosingYear(file).ToString(CultureInfo.InvariantCulture),
            [TagNonArchival] = nonArchival ? "true" : "false",
            [TagLegalHold] = file.LegalHold ? "true" : "false",
        };
        if (file.ScheduleItemCode is { } item)
        {
            tags[TagScheduleItem] = item;
        }

        return tags;
    }

    private static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return present.Count == 0 ? null : string.Join(" ", present);
    }
}
