"""`POST /v1/provider_webhooks/{provider}/{token}` (public: the token and the vendor's signature vouch for it) and
`GET /v1/connected_accounts/{id}/provider_webhook` (admin: the URL to register with the vendor).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath

from aggregator.auth import needs
from aggregator.auth.scopes import PUBLIC
from aggregator.connected_accounts import service as accounts
from aggregator.http.context import Context, runtime_of
from aggregator.http.openapi import problems
from aggregator.ids import parse_id
from aggregator.provider_webhooks import service
from schemas import ProviderWebhook, ProviderWebhookReceipt, Scope


class ProviderWebhookController(Controller):
    tags = ["Provider webhooks"]

    @post(
        f"{service.PATH}/{{provider:str}}/{{token:str}}",
        operation_id="ReceiveProviderWebhook",
        summary="A vendor's callback",
        opt={PUBLIC: True},
        security=[{}],
        status_code=200,
        responses={
            200: ResponseSpec(ProviderWebhookReceipt, description="The receipt (or the text the vendor wants back)."),
            **problems(400, 401, 404),
        },
    )
    async def receive(
        self, request: Request[Any, Any, Any], provider: FromPath[str], token: FromPath[str]
    ) -> Response[Any]:
        """The devices it names are read again from the vendor; the events it carries are recorded. The answer is
        the receipt, or the exact text a vendor wants back (TTLock: `success`).
        """
        runtime = runtime_of(request.scope)
        receipt = await service.receive(runtime, provider, token, request.headers, await request.body())
        answer = runtime.vendors.provider(provider).manifest.webhook_answer
        if answer is not None:
            return Response(answer, media_type=MediaType.TEXT)
        return Response(receipt)

    @get(
        "/v1/connected_accounts/{account_id:str}/provider_webhook",
        operation_id="GetProviderWebhook",
        summary="The callback URL to register with the vendor",
        opt=needs(Scope.ADMIN),
        responses=problems(404),
    )
    async def webhook(
        self, request: Request[Any, Any, Any], account_id: FromPath[str], ctx: Context
    ) -> ProviderWebhook:
        account = await accounts.get_account(ctx.db, ctx.workspace_id, parse_id(account_id))
        return service.webhook_of(runtime_of(request.scope), account.id, account.provider)
