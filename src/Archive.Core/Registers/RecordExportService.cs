using System.Globalization;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace Archive.Registers;

/// <summary>What a record file export wrote.</summary>
/// <param name="FileCode">The record file.</param>
/// <param name="Version">The version exported (every content was read from this one version).</param>
/// <param name="Documents">Documents listed.</param>
/// <param name="Contents">Content files, each in the PDF as its own pages, as image or text pages, or as a placeholder page.</param>
/// <param name="Placeholders">Content files shown by a placeholder page naming the original (a type the PDF cannot show, or unreadable).</param>
/// <param name="Pages">Pages of the PDF: cover, document list and contents.</param>
/// <param name="PdfFileName">A file name for the PDF (<c>ho-so-CODE.pdf</c>).</param>
/// <param name="XmlFileName">A file name for the XML (<c>ho-so-CODE.xml</c>).</param>
public sealed record RecordExportResult(string FileCode, int Version, int Documents, int Contents, int Placeholders, int Pages, string PdfFileName, string XmlFileName);

/// <summary>
/// A whole record file exported as one PDF plus XML in chronological order (issue #18, domain reference §7): the PDF has
/// a cover page (phông, mã hồ sơ, tiêu đề, thời gian, thời hạn lưu trữ, số văn bản, ngày xuất), the document list (mục
/// lục văn bản: STT, số ký hiệu, ngày, trích yếu, tác giả, trang) and then every document's content in chronological
/// order (document date, then ordinal; undated documents last): PDF contents page by page, JPEG and PNG as image pages,
/// text/plain as text pages, and any other type (DOCX, …) or a content that cannot be read as such as an honest
/// placeholder page naming the original (name, media type, size, SHA-256) — never silently dropped. The XML carries the
/// record file's Decree 30 elements (and its Dublin Core description, as in a submission package) and the documents in
/// the same order with each content's name, media type, size, SHA-256 and its page range in the PDF.
/// </summary>
/// <remarks>
/// Only a record file the caller may read is exported (else <see cref="ArchiveNotFoundException"/>, as for a missing
/// one: a Secret file's existence is not revealed). Every content is read from one version through the package store's
/// verifying read: a content whose SHA-256 differs from the inventory fails the export with
/// <see cref="Archive.Packages.PackageCorruptException"/> before a byte of output is written.
/// Memory: each content is spooled to a temporary file (under <see cref="ArchiveOptions.ResolveTempPath"/>, removed
/// afterwards) and rendered into a temporary PDF of its own; the output is then written page by page (PdfPig writes every
/// copied object to the output at once). Content bytes are never held beyond one parsed source PDF or one decoded image
/// at a time — bounded by the largest single content, not the record file. Not flat in the page count: PdfPig keeps a
/// builder per output page until the document is completed, and a provisional measurement (loaded machine, live heap
/// sampled with full collections) grew by about 36 KiB per output page (202 pages: +15 MiB; 1,602 pages from 80
/// contents, 11 MiB of output: +66 MiB); what exactly is retained is not yet identified — the measured record file also
/// had 80 versions, whose OCFL inventory (versions × files) the engine reads for every content opened. Temporary disk:
/// about the size of the record file's contents. The XML's page ranges come from the PDF's layout, so an XML-only export renders the contents as well (and
/// writes no PDF).
/// </remarks>
public sealed class RecordExportService
{
    /// <summary>Media type of the PDF.</summary>
    public const string PdfMediaType = "application/pdf";

    /// <summary>Media type of the XML.</summary>
    public const string XmlMediaType = "application/xml";

    private readonly RecordFileService _files;
    private readonly FondsRegistry _fonds;
    private readonly AgencyRegistry _agencies;
    private readonly IArchiveAccessPolicy? _policy;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the service; <paramref name="policy"/> decides what a caller may read (null: only the offline operator, no caller, may export).</summary>
    public RecordExportService(RecordFileService files, FondsRegistry fonds, AgencyRegistry agencies, IOptions<ArchiveOptions> options, IArchiveAccessPolicy? policy = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(fonds);
        ArgumentNullException.ThrowIfNull(agencies);
        ArgumentNullException.ThrowIfNull(options);
        _files = files;
        _fonds = fonds;
        _agencies = agencies;
        _options = options.Value;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Exports the record file's head version as PDF into <paramref name="pdf"/> and/or as XML into <paramref name="xml"/>
    /// (at least one; a seekable file or memory stream for the PDF, which PdfPig writes with offsets). With a
    /// <paramref name="caller"/> only a record file it may read; without one (offline, the operator) any.
    /// </summary>
    /// <exception cref="ArchiveValidationException">No file code (<c>fileCode.required</c>).</exception>
    /// <exception cref="ArchiveNotFoundException">No such record file, or one the caller may not read.</exception>
    /// <exception cref="Archive.Packages.PackageCorruptException">A stored content does not match its SHA-256; nothing was written.</exception>
    /// <exception cref="InvalidOperationException">A caller is given but the service has no access policy.</exception>
    public async ValueTask<RecordExportResult> WriteAsync(string fileCode, ArchiveCaller? caller, Stream? pdf, Stream? xml, CancellationToken cancellationToken = default)
    {
        if (pdf is null && xml is null)
        {
            throw new ArgumentException("Give a stream for the PDF, the XML or both.", nameof(pdf));
        }

        if (caller is not null && _policy is null)
        {
            throw new InvalidOperationException("RecordExportService was created without an IArchiveAccessPolicy, so it cannot decide what a caller may read.");
        }

        if (string.IsNullOrWhiteSpace(fileCode))
        {
            throw new ArchiveValidationException("fileCode", "fileCode.required", "The record file code is required.");
        }

        var head = await _files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false);
        head = caller is not null
            ? await _policy!.RequireReadAsync(caller, head, fileCode, cancellationToken).ConfigureAwait(false)
            : head ?? throw new ArchiveNotFoundException("record-file", fileCode);
        var file = head.Value;
        var fonds = (await _fonds.GetAsync(file.FondsCode, cancellationToken).ConfigureAwait(false))?.Value;
        var holderId = fonds is null ? file.OrganId : ArchiveAccessPolicy.CustodianOf(fonds);
        var holder = (await _agencies.GetAsync(holderId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = holder?.ParentId is { } parentId ? (await _agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var now = _time.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        var documents = Chronological(file.Documents);

        var folder = Path.Combine(_options.ResolveTempPath(), "record-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            // Pass 1: every content read (verified) and rendered into a PDF of its own, so its page count is known.
            var parts = new List<ExportPart>();
            var n = 0;
            foreach (var document in documents)
            {
                foreach (var content in document.Contents)
                {
                    parts.Add(await PrepareAsync(file.FileCode, head.Version, document, content, Path.Combine(folder, (++n).ToString("D5", CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false));
                }
            }

            // The cover is page 1, the list follows; the contents start after it.
            var rows = documents.Select((d, i) => ListRow.Of(i + 1, d)).ToList();
            var listPages = RecordExportLayout.Paginate(rows);
            var page = 1 + listPages.Count + 1;
            foreach (var part in parts)
            {
                part.FirstPage = page;
                page += part.Pages;
            }

            foreach (var row in rows)
            {
                var own = parts.Where(p => ReferenceEquals(p.Document, row.Document)).ToList();
                row.Pages = own.Count == 0 ? null : (own[0].FirstPage, own[^1].FirstPage + own[^1].Pages - 1);
            }

            var context = new ExportContext(file, head.Version, fonds, holder, parent, now, documents, parts, rows, page - 1);
            if (pdf is not null)
            {
                WritePdf(context, listPages, pdf, cancellationToken);
            }

            if (xml is not null)
            {
                RecordExportXml.Write(context, xml);
            }

            var name = "ho-so-" + file.FileCode;
            return new RecordExportResult(file.FileCode, head.Version, documents.Count, parts.Count, parts.Count(p => p.Rendering == PartRendering.Placeholder), page - 1, name + ".pdf", name + ".xml");
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp-folder sweep at start-up.
            }
        }
    }

    /// <summary>Documents in chronological order: by date (undated ones last), then by ordinal.</summary>
    internal static List<Document> Chronological(IEnumerable<Document> documents)
        => documents.OrderBy(d => d.IssuedDate is null ? 1 : 0).ThenBy(d => d.IssuedDate).ThenBy(d => d.DocOrdinal).ToList();

    private async ValueTask<ExportPart> PrepareAsync(string fileCode, int version, Document document, ContentFile content, string path, CancellationToken cancellationToken)
    {
        var spool = path + ".content";
        var opened = await _files.OpenContentAsync(fileCode, document.DocOrdinal, content.Name, null, version, cancellationToken).ConfigureAwait(false)
            ?? throw new Archive.Packages.PackageCorruptException(fileCode, content.LogicalPath, "the content listed in the record file is missing");
        await using (opened.ConfigureAwait(false))
        {
            await using var target = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            // The package store's verifying read: a damaged content throws at its end.
            await opened.Content.Stream.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        }

        var part = new ExportPart(document, content);
        var media = content.MediaType.Split(';')[0].Trim().ToLowerInvariant();
        try
        {
            switch (media)
            {
                case "application/pdf":
                    using (var source = PdfDocument.Open(spool))
                    {
                        if (source.IsEncrypted)
                        {
                            return Placeholder(part, path, "Tệp PDF được mã hóa, không chép được các trang.");
                        }

                        part.Pages = source.NumberOfPages;
                    }

                    part.Path = spool;
                    part.Rendering = PartRendering.Pdf;
                    return part;
                case "image/jpeg" or "image/png":
                    part.Path = path + ".pdf";
                    part.Pages = RecordExportLayout.ImagePage(spool, media == "image/png", part, part.Path);
                    part.Rendering = PartRendering.Image;
                    return part;
                case "text/plain":
                    part.Path = path + ".pdf";
                    part.Pages = RecordExportLayout.TextPages(spool, part, part.Path);
                    part.Rendering = PartRendering.Text;
                    return part;
                default:
                    return Placeholder(part, path, null);
            }
        }
#pragma warning disable CA1031 // A content the PDF cannot show is named on a placeholder page, never dropped.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return Placeholder(part, path, "Không đọc được nội dung để chuyển sang PDF (" + ex.GetType().Name + ").");
        }
    }

    private static ExportPart Placeholder(ExportPart part, string path, string? reason)
    {
        part.Path = path + ".placeholder.pdf";
        part.Pages = RecordExportLayout.PlaceholderPage(part, reason, part.Path);
        part.Rendering = PartRendering.Placeholder;
        part.Note = reason;
        return part;
    }

    private static void WritePdf(ExportContext context, IReadOnlyList<IReadOnlyList<ListRow>> listPages, Stream output, CancellationToken cancellationToken)
    {
        using var builder = new PdfDocumentBuilder(output, disposeStream: false, PdfWriterType.Default, 1.7);
        builder.DocumentInformation.Title = "Hồ sơ " + context.File.FileCode + ": " + context.File.Title;
        builder.DocumentInformation.Producer = "Archive";
        builder.DocumentInformation.CreationDate = "D:" + context.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+07'00'";
        var text = new PdfText(builder);
        RecordExportLayout.Cover(builder, text, context);
        RecordExportLayout.List(builder, text, context, listPages);
        foreach (var part in context.Parts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var source = PdfDocument.Open(part.Path!);
            for (var i = 1; i <= source.NumberOfPages; i++)
            {
                builder.AddPage(source, i);
            }
        }

        // Disposing the builder writes the generated pages, the fonts, the page tree and the cross-reference table.
    }
}

/// <summary>How a content appears in the PDF.</summary>
internal enum PartRendering
{
    Pdf,
    Image,
    Text,
    Placeholder,
}

/// <summary>One content file of the export: where its rendered pages are and where they land in the PDF.</summary>
internal sealed class ExportPart(Document document, ContentFile content)
{
    public Document Document { get; } = document;

    public ContentFile Content { get; } = content;

    public string? Path { get; set; }

    public int Pages { get; set; }

    public int FirstPage { get; set; }

    public PartRendering Rendering { get; set; }

    public string? Note { get; set; }
}

/// <summary>A row of the document list (mục lục văn bản).</summary>
internal sealed class ListRow
{
    public required Document Document { get; init; }

    public required int Number { get; init; }

    public (int First, int Last)? Pages { get; set; }

    public static ListRow Of(int number, Document d) => new() { Number = number, Document = d };

    public string PagesText => Pages is { } p ? (p.First == p.Last ? p.First.ToString(CultureInfo.InvariantCulture) : p.First.ToString(CultureInfo.InvariantCulture) + "-" + p.Last.ToString(CultureInfo.InvariantCulture)) : "-";
}

/// <summary>Everything the PDF and XML writers need.</summary>
internal sealed record ExportContext(
    RecordFile File,
    int Version,
    Fonds? Fonds,
    Agency? Holder,
    Agency? Parent,
    DateTimeOffset Now,
    IReadOnlyList<Document> Documents,
    IReadOnlyList<ExportPart> Parts,
    IReadOnlyList<ListRow> Rows,
    int TotalPages)
{
    public string FondsLine => Fonds is null ? File.FondsCode : HandoverDocuments.FondsName(Fonds, "Phông:") + " (" + Fonds.Code + ")";
}
