using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Api.OpenApi;
using Archive.Records;
using Archive.Retention;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Endpoints;

/// <summary>Retention schedules (bảng thời hạn lưu trữ) and due lists.</summary>
internal static class RetentionEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var retention = routes.MapGroup("/retention").WithTags("Retention");
        retention.MapGet("/schedules/default", GetDefault).WithName("GetDefaultRetentionSchedule").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The built-in default retention schedule (bảng thời hạn lưu trữ mặc định), labelled with its sources");
        retention.MapGet("/due/appraisal", DueForAppraisal).WithName("GetAppraisalDueList").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Fixed-term record files whose retention has run out (hết thời hạn lưu trữ: appraise, destroy or extend)");
        retention.MapGet("/due/transfer", DueForTransfer).WithName("GetTransferDueList").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Permanent record files due for transfer to the Historical Archives (đến hạn nộp lưu)");

        var schedule = routes.MapGroup("/agencies/{agencyId}/retention-schedule").WithTags("Retention");
        schedule.MapGet("/", GetAgencySchedule).WithName("GetAgencyRetentionSchedule").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The agency's own retention schedule as stored (ETag = \"v{version}\")").ProducesProblem(StatusCodes.Status404NotFound);
        schedule.MapGet("/effective", GetEffective).WithName("GetEffectiveRetentionSchedule").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The schedule that applies to the agency: the default overlaid with the agency's own items").ProducesProblem(StatusCodes.Status404NotFound);
        schedule.MapPut("/", SaveAgencySchedule).WithName("SaveAgencyRetentionSchedule").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Save or import the agency's own schedule from JSON or CSV (If-Match required when one exists)")
            .WithDescription("Body: application/json (the RetentionSchedule shape) or text/csv (columns by English or Vietnamese name: "
                + "code/mã, title/tên nhóm hồ sơ, retention/thời hạn lưu trữ, category/nhóm, disposition/xử lý, source/căn cứ, notes/ghi chú).")
            .Accepts<RetentionScheduleDto>("application/json", "text/csv", "*/*").WithMetadata(IfMatchWhenExistsMetadata.Instance)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static Ok<RetentionScheduleDto> GetDefault(ArchiveApiMapper mapper)
        => TypedResults.Ok(mapper.Map<RetentionScheduleDto>(RetentionScheduleService.Default));

    private static async Task<Ok<RetentionScheduleDto>> GetAgencySchedule(string agencyId, HttpContext http, RetentionScheduleService schedules, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await RequireAgencyAsync(agencies, agencyId, cancellationToken).ConfigureAwait(false);
        var own = await schedules.GetAgencyScheduleAsync(agencyId, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("schedule", agencyId, "the agency has no schedule of its own; see /effective");
        ETags.SetVersion(http.Response, own.Version);
        return TypedResults.Ok(mapper.Map<RetentionScheduleDto>(own.Value) with { Version = own.Version });
    }

    private static async Task<Ok<RetentionScheduleDto>> GetEffective(string agencyId, RetentionScheduleService schedules, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        await RequireAgencyAsync(agencies, agencyId, cancellationToken).ConfigureAwait(false);
        var effective = await schedules.GetEffectiveAsync(agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<RetentionScheduleDto>(effective));
    }

    private static async Task<Ok<RetentionScheduleDto>> SaveAgencySchedule(string agencyId, HttpContext http, RetentionScheduleService schedules, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.schedule", "Send the schedule as application/json or text/csv.");
        }

        var mediaType = type.MediaType.Value ?? string.Empty;
        var format = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? RetentionScheduleFormat.Json
            : mediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) ? RetentionScheduleFormat.Csv
            : throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.schedule", $"Send the schedule as application/json or text/csv (got '{mediaType}').");

        await RequireAgencyAsync(agencies, agencyId, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequireAgencyAsync(http, agencyId, "schedule", cancellationToken).ConfigureAwait(false);
        var current = await schedules.GetAgencyScheduleAsync(agencyId, null, cancellationToken).ConfigureAwait(false);

        // Replacing an existing schedule needs If-Match; creating the first one does not (its expected version is 0).
        var expected = ETags.ExpectedVersion(request, required: current is not null) ?? (current is null ? 0 : null);
        var result = await schedules.ImportAgencyScheduleAsync(agencyId, request.Body, format, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Ok(mapper.Map<RetentionScheduleDto>(result.Stored.Value) with { Version = result.Stored.Version });
    }

    private static async Task<Ok<DueReportDto>> DueForAppraisal(HttpContext http, RetentionPlanner planner, ArchiveApiMapper mapper, [FromQuery] DateOnly? asOf, [FromQuery] string? agencyId, RecordFileService files, CancellationToken cancellationToken)
    {
        var report = await planner.DueForAppraisalAsync(asOf ?? Today(), string.IsNullOrWhiteSpace(agencyId) ? null : agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await VisibleAsync(http, files, mapper.Map<DueReportDto>(report), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<DueReportDto>> DueForTransfer(HttpContext http, RetentionPlanner planner, ArchiveApiMapper mapper, [FromQuery] DateOnly? asOf, [FromQuery] string? agencyId, RecordFileService files, CancellationToken cancellationToken)
    {
        var report = await planner.DueForTransferAsync(asOf ?? Today(), string.IsNullOrWhiteSpace(agencyId) ? null : agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await VisibleAsync(http, files, mapper.Map<DueReportDto>(report), cancellationToken).ConfigureAwait(false));
    }

    private static DateOnly Today() => DateOnly.FromDateTime(DateTime.Now);

    /// <summary>Keeps the record files the caller may see (scope, secret clearance, researcher rule).</summary>
    private static async ValueTask<DueReportDto> VisibleAsync(HttpContext http, RecordFileService files, DueReportDto report, CancellationToken cancellationToken)
    {
        async ValueTask<List<DueItemDto>> FilterAsync(IReadOnlyList<DueItemDto> items)
        {
            var kept = new List<DueItemDto>(items.Count);
            foreach (var item in items)
            {
                if (await files.GetAsync(item.FileCode, cancellationToken).ConfigureAwait(false) is { } file
                    && await ArchiveScope.CanReadAsync(http, file.Value, cancellationToken).ConfigureAwait(false))
                {
                    kept.Add(item);
                }
            }

            return kept;
        }

        return report with
        {
            Due = await FilterAsync(report.Due).ConfigureAwait(false),
            Withheld = await FilterAsync(report.Withheld).ConfigureAwait(false),
        };
    }

    private static async ValueTask RequireAgencyAsync(AgencyRegistry agencies, string agencyId, CancellationToken cancellationToken)
    {
        _ = AgencyIdentifier.Validate(agencyId, "agencyId");
        _ = await agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("agency", agencyId);
    }
}
