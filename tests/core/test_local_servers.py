"""The suite reaches a real MongoDB-compatible store and a real Kafka broker over TCP."""

from __future__ import annotations

import asyncio
import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from service.core.settings import Settings


async def test_document_round_trip_through_the_store(settings: Settings) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        collection = client[settings.mongodb_database]["round_trip"]
        marker = uuid.uuid4().hex
        await collection.insert_one({"_id": marker, "value": 42})
        assert await collection.find_one({"_id": marker}) == {"_id": marker, "value": 42}
    finally:
        await client.close()


async def test_message_produced_is_consumed_from_the_broker(settings: Settings) -> None:
    topic = f"round-trip-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, json.dumps({"hello": "kafka"}).encode(), key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert message.key == b"k"
    assert json.loads(message.value) == {"hello": "kafka"}
