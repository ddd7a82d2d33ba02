package org.atrium.knowledge;

import org.atrium.accounts.OwnerDeleting;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Locks the collections and files a user's or group's deletion is about to cascade into, in the lock order of
 * docs/ARCHITECTURE.md, before the deletion runs. Left to the cascades, they would lock them in trigger order and
 * deadlock with uploads and adds that lock collection before file.
 */
@Component
class OwnerDeletionLocks {

    private final CollectionStore collections;

    OwnerDeletionLocks(CollectionStore collections) {
        this.collections = collections;
    }

    @EventListener
    void lock(OwnerDeleting deleting) {
        collections.lockForOwnerDeletion(deleting.userId(), deleting.groupId());
    }
}
