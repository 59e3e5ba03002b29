using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Records;
using Archive.Registers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>The backlog register (tài liệu tồn đọng, chưa chỉnh lý): register batches, list, read, record processing, link record files.</summary>
internal static class BacklogEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        const string Scope = "A batch is seen by its agency's staff and by supervisors, the Historical Archives and administrators (otherwise 404) "
            + "and changed by its agency's staff or administrators (otherwise 403 scope.agency).";
        var group = routes.MapGroup("/backlog").WithTags("Backlog");
        group.MapPost("/", Register).WithName("RegisterBacklogBatch").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Registers a batch of un-arranged records (khối tài liệu chưa chỉnh lý) received or found, as NotProcessed")
            .WithDescription("Source agency, fonds (optional), years, shelf metres (mét giá, ≥ 0), boxes and bundles (≥ 0), condition, location, notes. "
                + "Every broken rule is named (422, errors[field]); nothing is stored. " + Scope)
            .AcceptsJson<RegisterBacklogBatchRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("ListBacklogBatches").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The backlog register: the batches the caller may see, filtered by agency, fonds and status, in pages")
            .WithDescription("status = NotProcessed, InProgress or Processed; pageSize (default 100) and after = nextAfter of the previous page.");
        group.MapGet("/{batchId}", Get).WithName("GetBacklogBatch").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("A backlog batch with its processing steps and the record files produced from it")
            .WithDescription(Scope)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{batchId}/status", ChangeStatus).WithName("ChangeBacklogStatus").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Records a processing step: the status only moves forward (NotProcessed → InProgress → Processed) and/or the metres processed so far (If-Match optional)")
            .WithDescription("processedMetres never goes back nor beyond the batch's metres (backlog.processed-metres); a status going back is refused "
                + "(backlog.status-backward). Each step is a new version naming who and when, audited. " + Scope)
            .AcceptsJson<BacklogStatusRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{batchId}/files", LinkFiles).WithName("LinkBacklogFiles").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Links the record files produced from a batch (If-Match optional)")
            .WithDescription("Each code must name a record file the caller may read — one it may not is refused exactly as a missing one (422 fileCodes[i] "
                + "record-file.not-found) — of a fonds the batch's agency holds (backlog.file-other-agency) and linked to no other batch "
                + "(backlog.file-linked). " + Scope)
            .AcceptsJson<LinkBacklogFilesRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    private static async Task<Created<BacklogBatchDto>> Register(HttpContext http, BacklogService backlog, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RegisterBacklogBatchRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await backlog.RegisterAsync(body.ToInput(), HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Created(Links.Child(http, stored.Value.Id), BacklogBatchDto.From(stored));
    }

    private static async Task<Ok<BacklogPageDto>> List(
        HttpContext http,
        BacklogService backlog,
        [FromQuery] string? agencyId,
        [FromQuery] string? fondsCode,
        [FromQuery] string? status,
        [FromQuery] int? pageSize,
        [FromQuery] string? after,
        CancellationToken cancellationToken)
    {
        var size = RequestContext.ListPageSize(http, pageSize);

        var wanted = RequestContext.StatusFilter<BacklogStatus>(status, BacklogRules.StatusBackward, "status is NotProcessed, InProgress or Processed.");

        var items = new List<BacklogBatchDto>();
        string? next = null;
        var query = new BacklogQuery { AgencyId = agencyId, FondsCode = fondsCode, Status = wanted, After = string.IsNullOrEmpty(after) ? null : after };
        await foreach (var batch in backlog.ListAsync(query, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false))
        {
            if (items.Count == size)
            {
                next = items[^1].Id;
                break;
            }

            items.Add(BacklogBatchDto.From(batch));
        }

        return TypedResults.Ok(new BacklogPageDto { Items = items, NextAfter = next });
    }

    private static async Task<Ok<BacklogBatchDto>> Get(string batchId, HttpContext http, BacklogService backlog, CancellationToken cancellationToken)
    {
        var stored = await backlog.GetAsync(batchId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("backlog", batchId);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(BacklogBatchDto.From(stored));
    }

    private static async Task<Ok<BacklogBatchDto>> ChangeStatus(string batchId, HttpContext http, BacklogService backlog, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<BacklogStatusRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var input = new BacklogStatusInput { Status = body.Status, ProcessedMetres = body.ProcessedMetres, Note = body.Note };
        var stored = await backlog.ChangeStatusAsync(batchId, input, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(BacklogBatchDto.From(stored));
    }

    private static async Task<Ok<BacklogBatchDto>> LinkFiles(string batchId, HttpContext http, BacklogService backlog, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<LinkBacklogFilesRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var stored = await backlog.LinkFilesAsync(batchId, body.FileCodes ?? [], expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(BacklogBatchDto.From(stored));
    }
}
