using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Api.OpenApi;
using Archive.Indexing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Long-running jobs: the reindex (one at a time).</summary>
internal static class JobEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapPost("/reindex", Start).WithName("StartReindex").RequireAuthorization(ArchivePolicies.Admin)
            .WithSummary("Start rebuilding the search index from storage in the background (202; 409 while one runs)")
            .AcceptsJson<StartReindexRequest>(isOptional: true)
            .ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapGet("/reindex", Status).WithName("GetReindexStatus").RequireAuthorization(ArchivePolicies.Admin).WithSummary("Progress of the current or last reindex");
        jobs.MapGet("/ocr", (Archive.Ocr.OcrService ocr) => TypedResults.Ok(ocr.Status)).WithName("GetOcrStatus").RequireAuthorization(ArchivePolicies.Admin)
            .WithSummary("Progress of the background OCR job: state, pending/retrying contents, totals, the page being recognized, missing tools");
    }

    private static async Task<Accepted<ReindexStatusDto>> Start(HttpContext http, ReindexJob job, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = http.Request.ContentLength is 0 || (http.Request.ContentLength is null && string.IsNullOrEmpty(http.Request.ContentType))
            ? new StartReindexRequest()
            : await JsonBody.ReadAsync<StartReindexRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        if (body.BatchSize is < 1 or > 10_000)
        {
            throw new ArchiveValidationException("batchSize", "reindex.batch-size", "The batch size must be between 1 and 10000.");
        }

        if (!job.TryStart(new ReindexRequest { Restart = body.Restart, BatchSize = body.BatchSize }))
        {
            throw new ArchiveConflictException("job", "reindex", ConflictRules.JobRunning, "A reindex is already running; poll GET /jobs/reindex.");
        }

        var location = (http.Request.PathBase + http.Request.Path).Value ?? string.Empty;
        return TypedResults.Accepted(location, mapper.Map<ReindexStatusDto>(job.Status));
    }

    private static async Task<Ok<ReindexStatusDto>> Status(ReindexJob job, ArchiveApiMapper mapper, CancellationToken cancellationToken)
        => TypedResults.Ok(mapper.Map<ReindexStatusDto>(await job.GetStatusAsync(cancellationToken).ConfigureAwait(false)));
}
