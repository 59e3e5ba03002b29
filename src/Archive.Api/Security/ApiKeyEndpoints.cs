using Archive.Security;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Security;

/// <summary>Body of <c>POST /api-keys</c>.</summary>
public sealed record CreateApiKeyRequest
{
    /// <summary>Name of the key (recorded as the user of changes and in the audit trail).</summary>
    public required string Name { get; init; }

    /// <summary>Roles granted (<see cref="ArchiveRoles"/>).</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Agencies the key belongs to.</summary>
    public IReadOnlyList<string>? Agencies { get; init; }

    /// <summary><c>secret</c> for secret clearance.</summary>
    public string? Clearance { get; init; }

    /// <summary>When the key stops working (future); absent: the configured default lifetime (<c>Archive:Auth:ApiKeyLifetime</c>) or never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Body of <c>POST /api-keys/{id}/rotate</c>.</summary>
public sealed record RotateApiKeyRequest
{
    /// <summary>How long the previous secret keeps working, in seconds (0, the default, to 604800 = 7 days).</summary>
    public int? OverlapSeconds { get; init; }

    /// <summary>When the new secret stops working (future); absent: the configured default lifetime or never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>An API key without its secret.</summary>
public sealed record ApiKeyDto
{
    /// <summary>Identifier (to revoke).</summary>
    public required string Id { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>The principal id it acts as in the audit trail and the version history: <c>apikey:</c> + id.</summary>
    public required string PrincipalId { get; init; }

    /// <summary><c>valid</c>, <c>expired</c> or <c>revoked</c>.</summary>
    public required string Status { get; init; }

    /// <summary>True when another key has the same name (keys stored before names had to be unique, or configured ones).</summary>
    public bool DuplicateName { get; init; }

    /// <summary>Roles.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Agencies.</summary>
    public required IReadOnlyList<string> Agencies { get; init; }

    /// <summary>Clearance.</summary>
    public string? Clearance { get; init; }

    /// <summary>When created (stored keys).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>When it expires; null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>After a rotation: until when the previous secret still works.</summary>
    public DateTimeOffset? PreviousKeyValidUntil { get; init; }

    /// <summary>When revoked; null while valid.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary><c>store</c> or <c>configuration</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The key itself: only in the answer to its creation or rotation.</summary>
    public string? Key { get; init; }

    internal static ApiKeyDto From(ApiKeyRecord r, DateTimeOffset now, string? key = null, bool duplicateName = false) => new()
    {
        Id = r.Id,
        Name = r.Name,
        PrincipalId = r.PrincipalId,
        Status = r.RevokedAt is not null ? "revoked" : r.ExpiresAt <= now ? "expired" : "valid",
        DuplicateName = duplicateName,
        ExpiresAt = r.ExpiresAt,
        PreviousKeyValidUntil = r.PreviousKeyValidUntil > now ? r.PreviousKeyValidUntil : null,
        Roles = r.Roles,
        Agencies = r.Agencies,
        Clearance = r.Clearance,
        CreatedAt = r.Source == "store" ? r.CreatedAt : null,
        CreatedBy = r.CreatedBy,
        RevokedAt = r.RevokedAt,
        Source = r.Source,
        Key = key,
    };
}

/// <summary>API keys: create (the key is shown once), list, rotate, revoke. Administrators only.</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api-keys").WithTags("API keys");
        keys.MapPost("/", Create).WithName("CreateApiKey")
            .WithSummary("Create an API key; the answer holds the key, shown only this once (stored as its SHA-256)")
            .AcceptsJson<CreateApiKeyRequest>()
            .RequireAuthorization(ArchivePolicies.Admin);
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("List API keys (stored and configured), without secrets")
            .RequireAuthorization(ArchivePolicies.Admin);
        keys.MapPost("/{id}/rotate", Rotate).WithName("RotateApiKey")
            .WithSummary("Issue a new secret for a stored API key (same id, name, roles, agencies); the previous secret works for overlapSeconds more. The answer holds the new key, shown only this once")
            .AcceptsJson<RotateApiKeyRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ArchivePolicies.Admin);
        keys.MapDelete("/{id}", Revoke).WithName("RevokeApiKey").WithSummary("Revoke a stored API key (kept, marked revoked)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ArchivePolicies.Admin);
    }

    private static async Task<Created<ApiKeyDto>> Create(HttpContext http, CancellationToken cancellationToken)
    {
        var store = Store(http);
        var body = await JsonBody.ReadAsync<CreateApiKeyRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var (key, record) = await store.CreateAsync(new ApiKeySpec(body.Name, body.Roles, body.Agencies, body.Clearance, body.ExpiresAt), HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created(Links.Child(http, record.Id), ApiKeyDto.From(record, Now(http), key));
    }

    private static async Task<Ok<List<ApiKeyDto>>> List(HttpContext http, CancellationToken cancellationToken)
    {
        var all = await Store(http).ListAsync(cancellationToken).ConfigureAwait(false);
        var duplicates = ApiKeyStore.DuplicateNames(all);
        var now = Now(http);
        return TypedResults.Ok(all.Select(r => ApiKeyDto.From(r, now, duplicateName: duplicates.Contains(r.Name))).ToList());
    }

    private static async Task<Ok<ApiKeyDto>> Rotate(string id, HttpContext http, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RotateApiKeyRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var overlap = body.OverlapSeconds ?? 0;
        if (overlap < 0 || overlap > ApiKeyStore.MaxOverlap.TotalSeconds)
        {
            throw new ArchiveValidationException("overlapSeconds", "apikey.overlap", $"overlapSeconds must be 0 to {ApiKeyStore.MaxOverlap.TotalSeconds:0}.");
        }

        var (key, record) = await Store(http).RotateAsync(id, TimeSpan.FromSeconds(overlap), body.ExpiresAt, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("api-key", id);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(ApiKeyDto.From(record, Now(http), key));
    }

    private static async Task<Ok<ApiKeyDto>> Revoke(string id, HttpContext http, CancellationToken cancellationToken)
    {
        var revoked = await Store(http).RevokeAsync(id, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("api-key", id);
        return TypedResults.Ok(ApiKeyDto.From(revoked, Now(http)));
    }

    private static DateTimeOffset Now(HttpContext http) => (http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

    private static ApiKeyStore Store(HttpContext http)
        => http.RequestServices.GetService<ApiKeyStore>()
           ?? throw new ApiRequestException(StatusCodes.Status404NotFound, "api-key", "apikey.store-absent", "This host does not use the Archive's API keys (services.AddArchiveAuthentication was not called).");
}
