using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Security;
using Archive.Audit;
using Archive.Hosting;
using Archive.Registers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>Statistics per agency, fonds, year and period, as JSON and as an XLSX report (báo cáo thống kê).</summary>
internal static class StatisticsEndpoints
{
    private const string Filters = "agencyId = files of fonds the agency holds; fondsCode; year = year formed (fileCatalog); from/to (yyyy-MM-dd) = files whose dates "
        + "overlap the period. Read from storage; only the record files the caller may read are counted (a Secret file without clearance is not counted "
        + "at all), exactly as the catalogues list them (weeded-out files left out), so the catalogue of a fonds and year gives the same counts. "
        + "Shelf metres = distinct boxes × Archive:Statistics:BoxWidthMetres. Destroyed files (tombstones) and the backlog count for staff in scope.";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/statistics", Get).WithTags("Statistics").WithName("GetStatistics").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Statistics of record files (files, documents, pages, bytes, shelf metres) by agency, fonds, year, retention, status, access, medium and custody; destroyed files; the backlog")
            .WithDescription(Filters);
        routes.MapGet("/statistics/report", Report).WithTags("Statistics").WithName("GetStatisticsReport").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The same statistics as an XLSX report (báo cáo thống kê tài liệu lưu trữ), one sheet per breakdown, Vietnamese headings")
            .WithDescription(Filters + " The number of files counted is in the header Archive-Statistics-Files.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }

    private static StatisticsRequest RequestOf(string? agencyId, string? fondsCode, int? year, DateOnly? from, DateOnly? to)
        => new() { AgencyId = agencyId, FondsCode = fondsCode, Year = year, From = from, To = to };

    private static async Task<Ok<StatisticsDto>> Get(
        [FromQuery] string? agencyId,
        [FromQuery] string? fondsCode,
        [FromQuery] int? year,
        [FromQuery] DateOnly? from,
        [FromQuery] DateOnly? to,
        HttpContext http,
        StatisticsService statistics,
        CancellationToken cancellationToken)
    {
        var s = await statistics.ComputeAsync(RequestOf(agencyId, fondsCode, year, from, to), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(StatisticsDto.Of(s));
    }

    private static Task<IResult> Report(
        [FromQuery] string? agencyId,
        [FromQuery] string? fondsCode,
        [FromQuery] int? year,
        [FromQuery] DateOnly? from,
        [FromQuery] DateOnly? to,
        HttpContext http,
        StatisticsService statistics,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
        => SpooledDownload.AnswerAsync(archiveOptions.Value, "statistics", async file =>
        {
            var result = await statistics.WriteReportAsync(RequestOf(agencyId, fondsCode, year, from, to), HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "statistics", fondsCode ?? agencyId ?? "all",
                $"report{(year is null ? string.Empty : " " + year)}: {result.Statistics.Totals.Files} files", cancellationToken).ConfigureAwait(false);
            http.Response.Headers["Archive-Statistics-Files"] = result.Statistics.Totals.Files.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (result.MediaType, result.FileName);
        });
}
