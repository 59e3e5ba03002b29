using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Integrations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>The change feed and webhook subscriptions (issue #19 item 1): HTTP onto <see cref="ChangeFeedService"/> and <see cref="WebhookService"/>.</summary>
internal static class IntegrationEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/changes", Changes).WithTags("Changes").WithName("ListChanges").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The change feed: every committed change of a record file after a cursor, oldest first")
            .WithDescription("after = a cursor from an earlier page (nextCursor) or change (cursor); absent: from the beginning. limit 1..1000 (default 100). "
                + "agencyId: only record files whose fonds the agency holds. Each change names the record file, the version, its kind "
                + "(Created, Updated, Accessioned, Destroyed), time and actor. Only the record files the caller may read today are shown "
                + "(a Secret one's changes never without clearance); staff only (403 scope.staff). A page may be empty with hasMore while "
                + "other events are skipped; resume at nextCursor. Cursors are stable across restarts and hosts. "
                + "A bad cursor or limit answers 422 (after: changes.cursor-invalid, limit: changes.limit-range).")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        const string Scope = "A subscription is seen and changed by its agency's staff and administrators (otherwise 404).";
        var group = routes.MapGroup("/webhooks").WithTags("Webhooks");
        group.MapPost("/", Create).WithName("CreateWebhook").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Subscribes a URL to an agency's events; answers the signing secret once")
            .WithDescription("Deliveries are POSTs of JSON with X-Archive-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>, "
                + "X-Archive-Timestamp (Unix seconds), X-Archive-Delivery (the same id on every attempt: de-duplicate on it) and X-Archive-Event. "
                + "url must be http(s) and must not be or resolve to a loopback, link-local, private, unique-local, multicast or unspecified "
                + "address or this server unless configuration allows it (422 url webhook.url-private; webhook.url-scheme, webhook.url-format, "
                + "webhook.url-unresolved); events at least one (webhook.events); agencyId registered (webhook.agency-unknown) and the caller's own "
                + "unless administrator (403 scope.agency). Nothing is stored on a refusal.")
            .AcceptsJson<CreateWebhookRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", List).WithName("ListWebhooks").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("The webhook subscriptions the caller may see (of one agency with agencyId)")
            .WithDescription(Scope);
        group.MapGet("/{webhookId}", Get).WithName("GetWebhook").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("A webhook subscription: URL, events, enabled, delivery cursor, failures, next attempt")
            .WithDescription(Scope)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{webhookId}", Update).WithName("UpdateWebhook").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Enables or disables a subscription (enabling resets the failure count and retries at once)")
            .WithDescription(Scope)
            .AcceptsJson<UpdateWebhookRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{webhookId}", Delete).WithName("DeleteWebhook").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Deletes a subscription and its delivery log")
            .WithDescription(Scope)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{webhookId}/deliveries", Deliveries).WithName("ListWebhookDeliveries").RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("The delivery log of a subscription: every attempt with its status, duration and error, oldest first")
            .WithDescription("limit 1..1000 (default 100), after = nextAfter of the previous page. " + Scope)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<RecordChangePageDto>> Changes(HttpContext http, ChangeFeedService feed, [FromQuery] string? after, [FromQuery] int? limit, [FromQuery] string? agencyId, CancellationToken cancellationToken)
    {
        var page = await feed.ReadAsync(after, limit ?? ChangeFeedService.DefaultLimit, HttpCaller.Of(http), string.IsNullOrEmpty(agencyId) ? null : agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RecordChangePageDto { Items = page.Items.Select(RecordChangeDto.From).ToList(), NextCursor = page.NextCursor, HasMore = page.HasMore });
    }

    private static async Task<Created<WebhookCreatedDto>> Create(HttpContext http, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateWebhookRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var input = new WebhookSubscriptionInput { AgencyId = body.AgencyId, Url = body.Url, Events = body.EventKinds, Description = body.Description, StartAfter = body.StartAfter };
        var created = await webhooks.CreateAsync(input, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created(Links.Child(http, created.Subscription.Id), new WebhookCreatedDto { Subscription = WebhookSubscriptionDto.From(created.Subscription), Secret = created.Secret });
    }

    private static async Task<Ok<WebhookListDto>> List(HttpContext http, WebhookService webhooks, [FromQuery] string? agencyId, CancellationToken cancellationToken)
    {
        var items = new List<WebhookSubscriptionDto>();
        await foreach (var s in webhooks.ListAsync(string.IsNullOrEmpty(agencyId) ? null : agencyId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false))
        {
            items.Add(WebhookSubscriptionDto.From(s));
        }

        return TypedResults.Ok(new WebhookListDto { Items = items });
    }

    private static async Task<Ok<WebhookSubscriptionDto>> Get(string webhookId, HttpContext http, WebhookService webhooks, CancellationToken cancellationToken)
        => TypedResults.Ok(WebhookSubscriptionDto.From(await webhooks.GetAsync(webhookId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException(WebhookService.ObjectType, webhookId)));

    private static async Task<Ok<WebhookSubscriptionDto>> Update(string webhookId, HttpContext http, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<UpdateWebhookRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var updated = await webhooks.UpdateAsync(webhookId, new WebhookSubscriptionUpdate { Enabled = body.Enabled }, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(WebhookSubscriptionDto.From(updated));
    }

    private static async Task<NoContent> Delete(string webhookId, HttpContext http, WebhookService webhooks, CancellationToken cancellationToken)
        => await webhooks.DeleteAsync(webhookId, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : throw new ArchiveNotFoundException(WebhookService.ObjectType, webhookId);

    private static async Task<Ok<WebhookDeliveryPageDto>> Deliveries(string webhookId, HttpContext http, WebhookService webhooks, [FromQuery] string? after, [FromQuery] int? limit, CancellationToken cancellationToken)
    {
        var page = await webhooks.ListDeliveriesAsync(webhookId, string.IsNullOrEmpty(after) ? null : after, limit ?? 100, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new WebhookDeliveryPageDto { Items = page.Items.Select(WebhookDeliveryDto.From).ToList(), NextAfter = page.NextAfter });
    }
}
