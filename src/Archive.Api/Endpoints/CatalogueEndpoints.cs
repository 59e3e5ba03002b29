using Archive.Api.Http;
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

/// <summary>Catalogues printed on demand (mục lục hồ sơ, danh sách hồ sơ chưa giải quyết xong).</summary>
internal static class CatalogueEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/fonds/{fondsCode}/catalogue", Catalogue).WithTags("Fonds").WithName("GetFondsCatalogue").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The catalogue of a fonds' record files (mục lục hồ sơ) or of its unfinished ones, as XLSX, DOCX or CSV")
            .WithDescription("Read from storage, not from the search index. status = Finished (default: mục lục hồ sơ) or Unfinished "
                + "(danh sách hồ sơ chưa giải quyết xong); year = only the files formed that year (fileCatalog); format = xlsx (default), "
                + "docx or csv (UTF-8 with BOM). Only the record files the caller may read are listed. Rows ordered by year formed "
                + "and file notation. The totals are also in the headers Archive-Catalogue-Files, -Permanent, -Fixed-Term, -Pages.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Catalogue(
        string fondsCode,
        [FromQuery] string? status,
        [FromQuery] int? year,
        [FromQuery] string? format,
        HttpContext http,
        CatalogueService catalogues,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
    {
        var wanted = status is null ? RecordFileStatus.Finished
            : string.Equals(status, "Finished", StringComparison.OrdinalIgnoreCase) ? RecordFileStatus.Finished
            : string.Equals(status, "Unfinished", StringComparison.OrdinalIgnoreCase) ? RecordFileStatus.Unfinished
            : throw ApiRequestException.BadRequest("status", "catalogue.status", "status is Finished or Unfinished.");
        var fileFormat = format is null ? CatalogueFormat.Xlsx
            : string.Equals(format, "xlsx", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Xlsx
            : string.Equals(format, "docx", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Docx
            : string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) ? CatalogueFormat.Csv
            : throw ApiRequestException.BadRequest("format", "catalogue.format", "format is xlsx, docx or csv.");
        var request = new CatalogueRequest { FondsCode = fondsCode, Status = wanted, Year = year, Format = fileFormat };

        // The writers write synchronously: the catalogue goes to a private temporary file first, so a failure answers a
        // problem instead of a truncated download, and the answer carries its length.
        var folder = archiveOptions.Value.ResolveTempPath();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "catalogue-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536, FileOptions.DeleteOnClose);
        try
        {
            var result = await catalogues.WriteAsync(request, HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "catalogue", fondsCode, $"{wanted} {fileFormat}{(year is null ? string.Empty : " " + year)}: {result.Totals.Total} files", cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            var headers = http.Response.Headers;
            headers["Archive-Catalogue-Files"] = result.Totals.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Archive-Catalogue-Permanent"] = result.Totals.Permanent.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Archive-Catalogue-Fixed-Term"] = result.Totals.FixedTerm.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["Archive-Catalogue-Pages"] = result.Totals.Pages.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.File(file, result.MediaType, result.FileName);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
