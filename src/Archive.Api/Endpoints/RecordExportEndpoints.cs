using Archive.Api.Http;
using Archive.Api.Security;
using Archive.Audit;
using Archive.Hosting;
using Archive.Registers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>A whole record file exported as one PDF or its XML, in chronological order (<see cref="RecordExportService"/>).</summary>
internal static class RecordExportEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/record-files/{fileCode}/export", Export).WithTags("Record files").WithName("ExportRecordFile").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("A whole record file as one PDF (cover, mục lục văn bản, contents in chronological order) or as its XML")
            .WithDescription("format = pdf (default) or xml. The PDF: a cover page, the document list, then every document's content in "
                + "chronological order (document date, then ordinal; undated last): PDF contents page by page, JPEG/PNG as image pages, "
                + "text/plain as text pages, any other type as a placeholder page naming the original (name, media type, size, SHA-256). "
                + "The XML: the record file's Decree 30 elements and Dublin Core, the documents in the same order with each content's "
                + "name, media type, size, SHA-256 and page range in the PDF. Same visibility as reading content: 404 for a record "
                + "file the caller may not read. Every content is verified against its SHA-256 while it is read: a damaged one answers "
                + "500 content.integrity and nothing is sent. Audited as an export. Headers Archive-Export-Version, -Documents, -Pages.")
            .Produces<Stream>(StatusCodes.Status200OK, RecordExportService.PdfMediaType, RecordExportService.XmlMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Export(
        string fileCode,
        [FromQuery] string? format,
        HttpContext http,
        RecordExportService exports,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
    {
        var xml = format is not null && string.Equals(format, "xml", StringComparison.OrdinalIgnoreCase);
        if (format is not null && !xml && !string.Equals(format, "pdf", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiRequestException.BadRequest("format", "export.format", "format is pdf or xml.");
        }

        return await SpooledDownload.AnswerAsync(archiveOptions.Value, "record-export", async file =>
        {
            var result = await exports.WriteAsync(fileCode, HttpCaller.Of(http), xml ? null : file, xml ? file : null, cancellationToken).ConfigureAwait(false);
            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "record-file", fileCode, $"{(xml ? "xml" : "pdf")} v{result.Version}: {result.Documents} documents, {result.Contents} contents ({result.Placeholders} as placeholder pages), {result.Pages} pages", cancellationToken).ConfigureAwait(false);
            var headers = http.Response.Headers;
            headers["Archive-Export-Version"] = result.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Archive-Export-Documents"] = result.Documents.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Archive-Export-Pages"] = result.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return xml ? (RecordExportService.XmlMediaType + "; charset=utf-8", result.XmlFileName) : (RecordExportService.PdfMediaType, result.PdfFileName);
        }).ConfigureAwait(false);
    }
}
