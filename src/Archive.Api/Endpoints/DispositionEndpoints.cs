using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Disposition;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Destruction of record files under an approved decision (Circular 06/2025): propose, approve, execute, record.</summary>
internal static class DispositionEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/dispositions").WithTags("Disposition").RequireAuthorization(ArchivePolicies.Dispose);
        group.MapPost("/", Create).WithName("ProposeDisposition").WithETag()
            .WithSummary("Proposes a destruction decision: list of files, explanatory note, council minutes, decision number and date")
            .AcceptsJson<CreateDispositionRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{decisionId}", Get).WithName("GetDisposition").WithETag()
            .WithSummary("A destruction decision with its per-file results").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{decisionId}/approve", Approve).WithName("ApproveDisposition").WithETag()
            .WithSummary("Approves a proposed decision (the approver must not be the proposer)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{decisionId}/execute", Execute).WithName("ExecuteDisposition").WithETag()
            .WithSummary("Destroys the eligible files of an approved decision; files under legal hold, not yet expired, permanent or accessioned are refused with the rule")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{decisionId}/record", DestructionRecord).WithName("GetDestructionRecord")
            .WithSummary("Destruction record data (biên bản hủy tài liệu): the decision, results and tombstones").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Created<DispositionDto>> Create(HttpContext http, DispositionService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateDispositionRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(body.AgencyId))
        {
            await ArchiveScope.RequireAgencyAsync(http, body.AgencyId.Trim(), "disposition-decision", cancellationToken).ConfigureAwait(false);
        }

        var stored = await service.ProposeAsync(body.ToInput(), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Created(Links.Child(http, stored.Value.Id), DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Get(string decisionId, HttpContext http, DispositionService service, CancellationToken cancellationToken)
    {
        var stored = await RequireAsync(http, service, decisionId, cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Approve(string decisionId, HttpContext http, DispositionService service, CancellationToken cancellationToken)
    {
        await RequireAsync(http, service, decisionId, cancellationToken).ConfigureAwait(false);
        var stored = await service.ApproveAsync(decisionId, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DispositionDto>> Execute(string decisionId, HttpContext http, DispositionService service, CancellationToken cancellationToken)
    {
        await RequireAsync(http, service, decisionId, cancellationToken).ConfigureAwait(false);
        var stored = await service.ExecuteAsync(decisionId, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, stored.Version);
        return TypedResults.Ok(DispositionDto.From(stored));
    }

    private static async Task<Ok<DestructionRecordDto>> DestructionRecord(string decisionId, HttpContext http, DispositionService service, CancellationToken cancellationToken)
    {
        var stored = await RequireAsync(http, service, decisionId, cancellationToken).ConfigureAwait(false);
        var record = await service.GetDestructionRecordAsync(decisionId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        return TypedResults.Ok(DestructionRecordDto.From(stored, record));
    }

    private static async Task<Versioned<DispositionDecision>> RequireAsync(HttpContext http, DispositionService service, string decisionId, CancellationToken cancellationToken)
    {
        var stored = await service.GetAsync(decisionId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("disposition-decision", decisionId);
        await ArchiveScope.RequireAgencyAsync(http, stored.Value.AgencyId, "disposition-decision", cancellationToken).ConfigureAwait(false);
        return stored;
    }
}
