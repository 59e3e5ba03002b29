using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Api.OpenApi;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Agencies (cơ quan, tổ chức) and fonds (phông lưu trữ).</summary>
internal static class RegistryEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var agencies = routes.MapGroup("/agencies").WithTags("Agencies");
        agencies.MapGet("/", ListAgencies).WithName("ListAgencies").RequireAuthorization(ArchivePolicies.Read).WithSummary("List agencies (cơ quan, tổ chức)");
        agencies.MapPost("/", CreateAgency).WithName("CreateAgency").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Register an agency")
            .AcceptsJson<CreateAgencyRequest>().ProducesProblem(StatusCodes.Status409Conflict);
        agencies.MapGet("/{agencyId}", GetAgency).WithName("GetAgency").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get an agency").ProducesProblem(StatusCodes.Status404NotFound);
        agencies.MapPut("/{agencyId}", UpdateAgency).WithName("UpdateAgency").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Replace an agency's description (If-Match required)")
            .AcceptsJson<UpdateAgencyRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        agencies.MapGet("/{agencyId}/history", AgencyHistory).WithName("GetAgencyHistory").RequireAuthorization(ArchivePolicies.Read).WithSummary("Version history of an agency").ProducesProblem(StatusCodes.Status404NotFound);

        var fonds = routes.MapGroup("/fonds").WithTags("Fonds");
        fonds.MapGet("/", ListFonds).WithName("ListFonds").RequireAuthorization(ArchivePolicies.Read).WithSummary("List fonds (phông lưu trữ)");
        fonds.MapPost("/", CreateFonds).WithName("CreateFonds").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Create a fonds for an agency")
            .AcceptsJson<CreateFondsRequest>().ProducesProblem(StatusCodes.Status409Conflict);
        fonds.MapGet("/{fondsCode}", GetFonds).WithName("GetFonds").WithETag().RequireAuthorization(ArchivePolicies.Read).WithSummary("Get a fonds").ProducesProblem(StatusCodes.Status404NotFound);
        fonds.MapPost("/{fondsCode}/close", CloseFonds).WithName("CloseFonds").WithETag().RequireAuthorization(ArchivePolicies.Manage).WithSummary("Close a fonds (đóng phông) — irreversible")
            .AcceptsJson<CloseFondsRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        fonds.MapGet("/{fondsCode}/history", FondsHistory).WithName("GetFondsHistory").RequireAuthorization(ArchivePolicies.Read).WithSummary("Version history of a fonds").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<List<AgencyDto>>> ListAgencies(AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var all = await agencies.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(all.Select(mapper.Map<AgencyDto>).ToList());
    }

    private static async Task<Created<AgencyDto>> CreateAgency(HttpContext http, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateAgencyRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequireAdministratorAsync(http, "agency", null, cancellationToken).ConfigureAwait(false);
        var result = await agencies.CreateAsync(mapper.Map<Agency>(body), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Created(Links.Child(http, result.Stored.Value.Id), mapper.Map<AgencyDto>(result.Stored));
    }

    private static async Task<Ok<AgencyDto>> GetAgency(string agencyId, HttpContext http, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var agency = await agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("agency", agencyId);
        ETags.SetVersion(http.Response, agency.Version);
        return TypedResults.Ok(mapper.Map<AgencyDto>(agency));
    }

    private static async Task<Ok<AgencyDto>> UpdateAgency(string agencyId, HttpContext http, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: true);
        var body = await JsonBody.ReadAsync<UpdateAgencyRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequireAgencyAsync(http, agencyId, "agency", cancellationToken).ConfigureAwait(false);
        _ = await agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("agency", agencyId);
        var agency = new Agency { Id = agencyId, Name = body.Name, ParentId = body.ParentId, Status = body.Status };
        var result = await agencies.UpdateAsync(agency, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Ok(mapper.Map<AgencyDto>(result.Stored));
    }

    private static async Task<Ok<List<VersionInfoDto>>> AgencyHistory(string agencyId, AgencyRegistry agencies, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var history = await agencies.GetHistoryAsync(agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(history.Select(mapper.Map<VersionInfoDto>).ToList());
    }

    private static async Task<Ok<List<FondsDto>>> ListFonds(FondsRegistry fonds, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var all = await fonds.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(all.Select(mapper.Map<FondsDto>).ToList());
    }

    private static async Task<Created<FondsDto>> CreateFonds(HttpContext http, FondsRegistry fonds, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateFondsRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var input = mapper.Map<FondsInput>(body);
        await ArchiveScope.RequireAgencyAsync(http, string.IsNullOrWhiteSpace(input.CustodianAgencyId) ? input.AgencyId : input.CustodianAgencyId, "fonds", cancellationToken).ConfigureAwait(false);
        var result = await fonds.CreateAsync(input, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Created(Links.Child(http, result.Stored.Value.Code), mapper.Map<FondsDto>(result.Stored));
    }

    private static async Task<Ok<FondsDto>> GetFonds(string fondsCode, HttpContext http, FondsRegistry fonds, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var f = await fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("fonds", fondsCode);
        ETags.SetVersion(http.Response, f.Version);
        return TypedResults.Ok(mapper.Map<FondsDto>(f));
    }

    private static async Task<Ok<FondsDto>> CloseFonds(string fondsCode, HttpContext http, FondsRegistry fonds, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<CloseFondsRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        await ArchiveScope.RequireChangeAsync(http, fondsCode, "fonds", fondsCode, cancellationToken).ConfigureAwait(false);
        var result = await fonds.CloseAsync(fondsCode, body.ClosedOn, body.Reason, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Ok(mapper.Map<FondsDto>(result.Stored));
    }

    private static async Task<Ok<List<VersionInfoDto>>> FondsHistory(string fondsCode, FondsRegistry fonds, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var history = await fonds.GetHistoryAsync(fondsCode, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(history.Select(mapper.Map<VersionInfoDto>).ToList());
    }
}
