using Archive;
using Archive.Api.Http;
using Archive.Documents;
using Archive.Audit;
using Archive.Api.Security;
using Archive.Hosting;
using Archive.Records;
using Archive.Registers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>Catalogues printed on demand (mục lục hồ sơ, danh sách hồ sơ chưa giải quyết xong, danh mục hồ sơ, mục lục văn bản).</summary>
internal static class CatalogueEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/fonds/{fondsCode}/catalogue", Catalogue).WithTags("Fonds").WithName("GetFondsCatalogue").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The catalogue of a fonds' record files (mục lục hồ sơ) or of its unfinished ones, as XLSX, DOCX or CSV")
            .WithDescription("Read from storage, not from the search index. kind = catalogue (default: mục lục hồ sơ) or list (danh mục hồ sơ: "
                + "number and notation, title, retention, creator, notes); status = Finished (default) or Unfinished "
                + "(with kind=catalogue: danh sách hồ sơ chưa giải quyết xong); year = only the files formed that year (fileCatalog); "
                + "fileCode (repeated, at most 100) = only these record files: a code that is not in the fonds, or that the caller may "
                + "not read, is refused alike (422 catalogue.selection-unknown on fileCode[i]; more than 100: catalogue.selection-size); format = xlsx (default), "
                + "docx or csv (UTF-8 with BOM). Only the record files the caller may read are listed. Rows ordered by year formed "
                + "and file notation. The totals are also in the headers Archive-Catalogue-Files, -Permanent, -Fixed-Term, -Pages.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        routes.MapGet("/record-files/{fileCode}/document-catalogue", DocumentCatalogue).WithTags("Record files").WithName("GetDocumentCatalogue").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The catalogue of the documents inside a record file (mục lục văn bản), as XLSX, DOCX or CSV")
            .WithDescription("STT, number and notation, date, type and summary, author, sheet/page, notes, in the file's document order; "
                + "weeded-out documents are not listed. format = xlsx (default), docx or csv (UTF-8 with BOM). A record file the caller "
                + "may not read answers 404 as GET /record-files/{fileCode} does. The number of documents is in the header Archive-Catalogue-Documents.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static CatalogueFormat FormatOf(string? format) => format is null ? CatalogueFormat.Xlsx
        : string.Equals(format, "xlsx", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Xlsx
        : string.Equals(format, "docx", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Docx
        : string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Csv
        : throw ApiRequestException.BadRequest("format", "catalogue.format", "format is xlsx, docx or csv.");

    /// <summary>Writes a catalogue (<see cref="SpooledDownload"/>), audits it and puts its totals in the headers.</summary>
    private static Task<IResult> FileAsync(HttpContext http, IOptions<ArchiveOptions> archiveOptions, bool documents, Func<Stream, ValueTask<CatalogueResult>> write, Func<CatalogueResult, ValueTask> audit)
        => SpooledDownload.AnswerAsync(archiveOptions.Value, "catalogue", async file =>
        {
            var result = await write(file).ConfigureAwait(false);
            await audit(result).ConfigureAwait(false);
            var headers = http.Response.Headers;
            if (documents)
            {
                headers["Archive-Catalogue-Documents"] = result.Totals.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                headers["Archive-Catalogue-Files"] = result.Totals.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                headers["Archive-Catalogue-Permanent"] = result.Totals.Permanent.ToString(System.Globalization.CultureInfo.InvariantCulture);
                headers["Archive-Catalogue-Fixed-Term"] = result.Totals.FixedTerm.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            headers["Archive-Catalogue-Pages"] = result.Totals.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (result.MediaType, result.FileName);
        });

    private static Task<IResult> DocumentCatalogue(
        string fileCode,
        [FromQuery] string? format,
        HttpContext http,
        CatalogueService catalogues,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
    {
        var request = new DocumentCatalogueRequest { FileCode = fileCode, Format = FormatOf(format) };
        return FileAsync(http, archiveOptions, documents: true,
            file => catalogues.WriteDocumentsAsync(request, HttpCaller.Of(http), file, cancellationToken),
            result => ArchiveScope.AuditReadAsync(http, AuditActions.Export, "document-catalogue", fileCode, $"{request.Format}: {result.Totals.Total} documents", cancellationToken));
    }

    private static async Task<IResult> Catalogue(
        string fondsCode,
        [FromQuery] string? status,
        [FromQuery] int? year,
        [FromQuery] string? format,
        [FromQuery] string? kind,
        [FromQuery] string[]? fileCode,
        HttpContext http,
        CatalogueService catalogues,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
    {
        var wanted = status is null ? RecordFileStatus.Finished
            : string.Equals(status, "Finished", StringComparison.OrdinalIgnoreCase) ? RecordFileStatus.Finished
            : string.Equals(status, "Unfinished", StringComparison.OrdinalIgnoreCase) ? RecordFileStatus.Unfinished
            : throw ApiRequestException.BadRequest("status", "catalogue.status", "status is Finished or Unfinished.");
        var fileFormat = FormatOf(format);
        var listKind = kind is null || string.Equals(kind, "catalogue", StringComparison.OrdinalIgnoreCase) ? CatalogueKind.FileCatalogue
            : string.Equals(kind, "list", StringComparison.OrdinalIgnoreCase) ? CatalogueKind.FileList
            : throw ApiRequestException.BadRequest("kind", "catalogue.kind", "kind is catalogue or list.");
        var request = new CatalogueRequest { FondsCode = fondsCode, Status = wanted, Year = year, Format = fileFormat, Kind = listKind, FileCodes = fileCode };
        return await FileAsync(http, archiveOptions, documents: false,
            async file =>
            {
                try
                {
                    return await catalogues.WriteAsync(request, HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
                }
                catch (ArchiveValidationException ex) when (ex.Errors.Any(e => e.Field.StartsWith("fileCodes", StringComparison.Ordinal)))
                {
                    // The engine's fileCodes[i] is the i-th fileCode query parameter here.
                    throw new ArchiveValidationException([.. ex.Errors.Select(e => e.Field.StartsWith("fileCodes", StringComparison.Ordinal) ? e with { Field = "fileCode" + e.Field["fileCodes".Length..] } : e)]);
                }
            },
            result => ArchiveScope.AuditReadAsync(http, AuditActions.Export, "catalogue", fondsCode,
                $"{(listKind == CatalogueKind.FileList ? "list" : wanted.ToString())} {fileFormat}{(year is null ? string.Empty : " " + year)}{(fileCode is { Length: > 0 } ? " selection" : string.Empty)}: {result.Totals.Total} files", cancellationToken)).ConfigureAwait(false);
    }
}
